import type { BackendName, EngineInfo } from '../../../../src-main/api/engine';

/** The engine override as the settings hold it: a forced backend, or null for the ladder's own choice. */
export type EngineChoice = BackendName | null;

/** The ladder's rungs, fastest first: the order the services try them in when nothing is forced. */
export const LADDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Radio values cannot be null; 'auto' stands for "no override". */
export type ChoiceKey = BackendName | 'auto';

export function choiceKey(choice: EngineChoice): ChoiceKey {
  return choice ?? 'auto';
}

/** What the ladder did with one rung, as engine.info reports it. */
export type RungStatus =
  | { kind: 'in-use' }
  /** Tried and unavailable, or passed over because another backend is forced: `reason` says which. */
  | { kind: 'skipped'; reason: string }
  /** Below the rung in use: the ladder stopped before it. */
  | { kind: 'not-reached' };

export function rungStatus(backend: BackendName, engine: EngineInfo): RungStatus {
  if (engine.backend === backend) return { kind: 'in-use' };
  const skipped = engine.skipped.find((s) => s.backend === backend);
  return skipped ? { kind: 'skipped', reason: skipped.reason } : { kind: 'not-reached' };
}

/**
 * How the saved override relates to the engine the services report. The services apply the setting unless their
 * environment sets TERRAFUSE_BACKEND, which wins; engine.info then reports a forced backend the setting did not ask
 * for (or a forced one while the setting says Automatic).
 */
export type EngineAgreement =
  /** engine.info has not answered (yet), or is being asked again after a change. */
  | { kind: 'unknown' }
  /** The forced backend cannot start here; jobs started now would fail for the same reason. */
  | { kind: 'unavailable'; override: BackendName; reason: string }
  /** The ladder chose freely (no override, no environment variable). */
  | { kind: 'automatic'; backend: BackendName }
  /** The override is in effect. */
  | { kind: 'forced'; backend: BackendName }
  /** TERRAFUSE_BACKEND in the services' environment forces `backend`; the setting has no effect there. */
  | { kind: 'environment'; backend: BackendName; override: EngineChoice };

export function engineAgreement(
  override: EngineChoice,
  engine: EngineInfo | null,
  engineError: string | null,
): EngineAgreement {
  // A failed engine.info leaves the previous answer in place; the failure is the newer fact.
  if (engineError !== null && override !== null) return { kind: 'unavailable', override, reason: engineError };
  if (engine === null || engineError !== null) return { kind: 'unknown' };
  if (!engine.forced) {
    // Unforced while an override is saved: an answer from before the change (the caller asks again).
    return override === null ? { kind: 'automatic', backend: engine.backend } : { kind: 'unknown' };
  }
  if (override === engine.backend) return { kind: 'forced', backend: engine.backend };
  return { kind: 'environment', backend: engine.backend, override };
}
