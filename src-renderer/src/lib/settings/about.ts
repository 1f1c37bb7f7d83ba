import type { AppInfo } from '../../../../src-main/api/app';
import type { EngineInfo } from '../../../../src-main/api/engine';

export interface AboutRow {
  label: string;
  value: string;
}

const TRANSPORT: Record<AppInfo['transport'], string> = {
  ipc: 'Desktop app (IPC)',
  serve: 'Serve mode (browser, HTTP + WebSocket)',
};

/** The About section's facts: from app.info and engine.info, or a placeholder while they are not known. */
export function aboutRows(app: AppInfo | null, engine: EngineInfo | null, engineError: string | null): AboutRow[] {
  const waiting = '…';
  return [
    { label: 'Application', value: app?.name ?? 'Terrafuse' },
    { label: 'Version', value: app?.version ?? waiting },
    { label: 'Transport', value: app ? TRANSPORT[app.transport] : waiting },
    // In serve mode this is the machine running the services, not the browser's.
    { label: app?.transport === 'serve' ? 'Server platform' : 'Platform', value: app?.platform ?? waiting },
    {
      label: 'Engine',
      value: engineError ? `unavailable: ${engineError}` : engine ? `${engine.backend} (${engine.package} ${engine.version})` : waiting,
    },
  ];
}
