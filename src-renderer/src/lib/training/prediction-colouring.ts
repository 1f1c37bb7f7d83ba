import type { PredictionsResult, TargetPrediction } from '../../../../src-main/api/training';
import { UNKNOWN_CODE } from '../patches/codes';
import { hexToRgb, UNKNOWN_COLOUR, type ColourClass, type Colouring } from '../patches/colour-by';

/**
 * Colouring the map's patches by a run's predictions (training.predictions), in the same code + colour-table form
 * as the attribute colourings, so the patch layers draw it unchanged: by predicted class (the head's colours), by
 * right/wrong against the truth, or by confidence. Pure: no map, no DOM.
 */

export type PredictionColourMode = 'class' | 'correct' | 'confidence';

export const PREDICTION_MODES: ReadonlyArray<{ id: PredictionColourMode; title: string }> = [
  { id: 'class', title: 'Predicted class' },
  { id: 'correct', title: 'Right / wrong' },
  { id: 'confidence', title: 'Confidence' },
];

export const RIGHT_COLOUR = '#1a9850';
export const WRONG_COLOUR = '#d73027';

/** Confidence bins, light (unsure) to dark (sure). */
export const CONFIDENCE_BINS = [
  { upTo: 0.2, label: 'Confidence < 0.2', color: '#deebf7' },
  { upTo: 0.4, label: '0.2–0.4', color: '#9ecae1' },
  { upTo: 0.6, label: '0.4–0.6', color: '#6baed6' },
  { upTo: 0.8, label: '0.6–0.8', color: '#3182bd' },
  { upTo: Infinity, label: '0.8–1', color: '#08519c' },
] as const;

interface ClassDef {
  code: number;
  label: string;
  color: string;
}

/** Heads that have a class per patch (classification, and segmentation through the mask's dominant class). */
export function colourableHeads(result: PredictionsResult): PredictionsResult['heads'] {
  return result.heads.filter((h) => h.task === 'classification' || h.task === 'segmentation');
}

/** Whether any patch carries a truth for `target` (right/wrong needs the dataset). */
export function hasTruth(result: PredictionsResult, target: string): boolean {
  return result.patches.some((p) => p.byTarget[target]?.truth !== null && p.byTarget[target]?.truth !== undefined);
}

function confidenceBin(c: number | null): number {
  if (c === null || !Number.isFinite(c)) return UNKNOWN_CODE;
  return CONFIDENCE_BINS.findIndex((b) => c < b.upTo);
}

function definitions(result: PredictionsResult, target: string, mode: PredictionColourMode): { defs: ClassDef[]; code: (p: TargetPrediction) => number } {
  const head = result.heads.find((h) => h.target === target);
  if (!head) throw new Error(`the predictions have no head ${target}`);
  switch (mode) {
    case 'class':
      return {
        defs: head.classNames.map((name, k) => ({ code: k, label: name, color: head.colors[k] ?? UNKNOWN_COLOUR })),
        code: (p) => (p.index === null || p.index < 0 || p.index >= UNKNOWN_CODE ? UNKNOWN_CODE : p.index),
      };
    case 'correct':
      return {
        defs: [
          { code: 0, label: 'Right', color: RIGHT_COLOUR },
          { code: 1, label: 'Wrong', color: WRONG_COLOUR },
        ],
        code: (p) => (p.index === null || p.truth === null ? UNKNOWN_CODE : p.index === p.truth ? 0 : 1),
      };
    case 'confidence':
      return { defs: CONFIDENCE_BINS.map((b, k) => ({ code: k, label: b.label, color: b.color })), code: (p) => confidenceBin(p.confidence) };
  }
}

/**
 * One code per patch of the map's dataset (`ids`, in the index's order); patches the predictions do not cover are
 * unknown. Legend classes carry the mean confidence of their patches as the description.
 */
export function predictionColouring(result: PredictionsResult, target: string, mode: PredictionColourMode, ids: readonly string[]): Colouring {
  const { defs, code } = definitions(result, target, mode);
  const byId = new Map(result.patches.map((p) => [p.id, p.byTarget[target]] as const));
  const codes = new Uint8Array(ids.length).fill(UNKNOWN_CODE);
  const counts = new Uint32Array(256);
  const confSum = new Float64Array(256);
  const confN = new Uint32Array(256);
  const known = new Set(defs.map((d) => d.code));
  for (let i = 0; i < ids.length; i++) {
    const p = byId.get(ids[i]);
    let c = p ? code(p) : UNKNOWN_CODE;
    if (!known.has(c)) c = UNKNOWN_CODE;
    codes[i] = c;
    counts[c]++;
    if (p && p.confidence !== null) {
      confSum[c] += p.confidence;
      confN[c]++;
    }
  }
  const table = new Uint8Array(256 * 4);
  const paint = (c: number, hex: string): void => {
    const [r, g, b] = hexToRgb(hex);
    table.set([r, g, b, 255], c * 4);
  };
  for (let c = 0; c < 256; c++) paint(c, UNKNOWN_COLOUR);
  const classes: ColourClass[] = [];
  const mean = (c: number): string | undefined => (confN[c] > 0 ? `mean confidence ${(confSum[c] / confN[c]).toFixed(2)}` : undefined);
  for (const d of defs) {
    paint(d.code, d.color);
    if (counts[d.code] === 0) continue;
    const description = mean(d.code);
    classes.push({ code: d.code, label: d.label, color: d.color, count: counts[d.code], ...(description ? { description } : {}) });
  }
  if (counts[UNKNOWN_CODE] > 0) classes.push({ code: UNKNOWN_CODE, label: mode === 'correct' ? 'No truth / not predicted' : 'Not predicted', color: UNKNOWN_COLOUR, count: counts[UNKNOWN_CODE] });
  // The colouring stands in for the attribute one; the map reads only codes and table.
  return { attribute: 'label', codes, classes, table };
}

/** What the inspector shows for a patch: per head, prediction vs truth. */
export interface PatchPredictionRow {
  target: string;
  task: string;
  predicted: string | null;
  truth: string | null;
  confidence: number | null;
  /** null when there is no truth to compare with. */
  right: boolean | null;
}

export function patchPredictionRows(result: PredictionsResult, id: string): PatchPredictionRow[] | null {
  const patch = result.patches.find((p) => p.id === id);
  if (!patch) return null;
  return result.heads.flatMap((h) => {
    const p = patch.byTarget[h.target];
    if (!p) return [];
    const predicted = h.task === 'regression' ? (p.value === null ? null : p.value.toPrecision(3)) : p.className;
    const truth = p.truth === null ? null : (h.classNames[p.truth] ?? String(p.truth));
    return [{ target: h.target, task: h.task, predicted, truth, confidence: p.confidence, right: p.truth === null || p.index === null ? null : p.index === p.truth }];
  });
}
