import type { EngineInfo } from '../../api/engine';

/**
 * The application menu as plain data (Electron's MenuItemConstructorOptions shape): main.ts passes it to
 * Menu.buildFromTemplate, tests inspect it and click its items.
 */

export interface MenuItemSpec {
  label?: string;
  role?: string;
  type?: 'normal' | 'separator' | 'submenu';
  accelerator?: string;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface MenuActions {
  openDataset(): void;
  openWorkspace(): void;
  exportResults(): void;
  toggleLayers(): void;
  togglePanels(): void;
  about(): void;
}

export function buildMenuTemplate(actions: MenuActions, opts: { isMac: boolean; devTools: boolean }): MenuItemSpec[] {
  const sep: MenuItemSpec = { type: 'separator' };
  const file: MenuItemSpec = {
    label: 'File',
    submenu: [
      { label: 'Open Dataset…', accelerator: 'CmdOrCtrl+O', click: actions.openDataset },
      { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+Shift+O', click: actions.openWorkspace },
      sep,
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: actions.exportResults },
      ...(opts.isMac ? [] : [sep, { role: 'quit', label: 'Quit' }]),
    ],
  };
  // The standard editing roles: without them copy/paste shortcuts do nothing in text fields on macOS.
  const edit: MenuItemSpec = {
    label: 'Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, sep, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  };
  const view: MenuItemSpec = {
    label: 'View',
    submenu: [
      { label: 'Layers', accelerator: 'CmdOrCtrl+L', click: actions.toggleLayers },
      { label: 'Panels', accelerator: 'CmdOrCtrl+B', click: actions.togglePanels },
      sep,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
      ...(opts.devTools ? [sep, { role: 'reload' }, { role: 'toggleDevTools' }] : []),
    ],
  };
  const help: MenuItemSpec = { label: 'Help', submenu: [{ label: 'About Terrafuse', click: actions.about }] };
  const macApp: MenuItemSpec[] = opts.isMac
    ? [{ label: 'Terrafuse', submenu: [{ label: 'About Terrafuse', click: actions.about }, sep, { role: 'hide' }, { role: 'hideOthers' }, sep, { role: 'quit' }] }]
    : [];
  return [...macApp, file, edit, view, help];
}

/** The about box: version and the compute engine in use (or why it is not known yet). */
export function aboutDialog(version: string, engine: EngineInfo | string): { title: string; message: string; detail: string } {
  const engineLine =
    typeof engine === 'string'
      ? `Compute engine: ${engine}`
      : `Compute engine: ${engine.backend} (${engine.package} ${engine.version})${engine.forced ? ', forced' : ''}`;
  const skipped = typeof engine === 'string' ? [] : engine.skipped.map((s) => `  skipped ${s.backend}: ${s.reason}`);
  return {
    title: 'About Terrafuse',
    message: `Terrafuse ${version}`,
    detail: [
      'Label-efficient deep learning on multimodal Earth-observation patches.',
      '',
      engineLine,
      ...skipped,
      `Platform: ${process.platform} ${process.arch}, Node ${process.versions.node}`,
    ].join('\n'),
  };
}
