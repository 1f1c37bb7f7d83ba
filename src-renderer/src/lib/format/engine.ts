import type { EngineInfo } from '../api/session.svelte';

/** Human names of the ladder's rungs, in the order the main process tries them. */
export const RUNG_LABELS: Record<EngineInfo['backend'], string> = {
  'tensorflow-gpu': 'TensorFlow GPU (CUDA)',
  tensorflow: 'TensorFlow CPU (native)',
  wasm: 'WebAssembly',
  cpu: 'JavaScript CPU',
};

/** Why the ladder did not choose: the user forced it, in the Settings panel or with TERRAFUSE_BACKEND. */
export function forcedText(engine: EngineInfo): string {
  if (engine.forcedBy === 'environment') return 'forced by TERRAFUSE_BACKEND';
  if (engine.forcedBy === 'setting') return 'forced in Settings';
  return 'forced';
}

/** The status bar's tooltip: which engine runs and why each faster one was passed over, one per line. */
export function engineTooltip(engine: EngineInfo): string {
  const lines = [
    `Compute engine: ${engine.backend} — ${RUNG_LABELS[engine.backend]} (${engine.package} ${engine.version})${
      engine.forced ? `, ${forcedText(engine)}` : ''
    }`,
  ];
  if (engine.skipped.length) {
    lines.push('Skipped:');
    for (const s of engine.skipped) lines.push(`  ${s.backend} (${s.package}): ${s.reason}`);
  }
  return lines.join('\n');
}
