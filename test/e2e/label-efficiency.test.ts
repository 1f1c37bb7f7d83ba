import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFraction, LABEL_FRACTION_STOPS } from '../../src-renderer/src/lib/training/experiment-form';
import { callApi } from './support/api';
import { launchChromium, type Browser } from './support/chromium';
import { launchJob, readChart, screenshots, waitDetailState, type DrawnChart } from './support/jobs';
import { openPanel } from './support/panels';
import { startServe, type ServeFixture } from './support/serve';

/**
 * The label-efficiency experiment launched from the UI, in Debian's Chromium through serve mode on a small synthetic
 * sample: pretrain a tiny S1 ↔ S2 contrastive checkpoint in the Pretrain panel, set up S2 → LULC classification in
 * the Experiment panel, run the experiment from the Runs panel at two label fractions with one seed against that
 * checkpoint, and check that the curve (from scratch vs from the checkpoint) is drawn at exactly the numbers the
 * services report and that its table shows what the experiment wrote to its CSV files — both in the job's dock and
 * when the curve is rebuilt from the run folders.
 */

const SAMPLE_PATCHES = 40;
const FRACTIONS = [0.2, 1];
/** Enough steps at a brisk learning rate for a tiny model to score above zero on the sample's few test patches. */
const EPOCHS = 5;
const LR = 0.01;
const LONG = 600_000;
const shot = (page: Page) => screenshots(page, process.env.TF_E2E_SHOTS, 'efficiency');

let serve: ServeFixture;
let browser: Browser;
let page: Page;
let workspace: string;
const problems: string[] = [];

/** What the experiment job returned (core/train/experiment.ts ExperimentSummary, as JSON). */
interface ExperimentResult {
  experiment: string;
  out: string;
  metric: string;
  checkpoint: string;
  rows: Array<{ fraction: number; seed: number; arm: 'scratch' | 'ssl'; metric: string; value: number | null; labelled: number; run: string }>;
  summary: Array<{ fraction: number; scratch: { mean: number; n: number }; ssl: { mean: number; n: number }; delta: number }>;
  files: { results: string; summary: string; plot: string };
}
let result: ExperimentResult;
let checkpointRun = '';

type CsvRow = Record<string, string>;
const readCsv = (path: string): CsvRow[] => parse(readFileSync(path, 'utf8'), { columns: true }) as CsvRow[];
const percent = (label: string) => Number(label.replace('%', '')) / 100;

/** Checks a drawn efficiency chart against the means per fraction and arm (to the path's 0.1 px rounding). */
function expectCurve(chart: DrawnChart, means: (fraction: number, arm: 'scratch' | 'ssl') => number): void {
  for (const arm of ['ssl', 'scratch'] as const) {
    const points = chart.series[arm];
    expect(points, `${arm} series`).toHaveLength(FRACTIONS.length);
    points.forEach((p, i) => {
      // x on a log axis read back from pixels: a few per mille of the fraction.
      expect(Math.abs(p.x - FRACTIONS[i]) / FRACTIONS[i], `${arm} x at ${FRACTIONS[i]}`).toBeLessThan(0.01);
      expect(Math.abs(p.y - means(FRACTIONS[i], arm)), `${arm} y at ${FRACTIONS[i]}`).toBeLessThanOrEqual(chart.yResolution * 1.5);
    });
  }
}

/**
 * Both arms are drawn at every fraction and can be told apart where they are equal: at each fraction the SSL dot and
 * the scratch ring (data-x: the fraction they stand for) sit side by side, a few pixels apart, not on one another.
 */
async function expectArmsApart(chart: Locator): Promise<void> {
  for (const f of FRACTIONS) {
    const cx = async (arm: string) => Number(await chart.locator(`circle[data-series=${arm}][data-x="${f}"]`).getAttribute('cx'));
    const gap = (await cx('scratch')) - (await cx('ssl'));
    expect(gap, `arms apart at ${f}`).toBeGreaterThanOrEqual(6);
    expect(gap, `arms close at ${f}`).toBeLessThanOrEqual(12);
  }
}

/** A progress bar is filled exactly as far as the percent next to it says (to a pixel of its drawn width). */
async function expectBarMatchesPercent(root: Locator, percentId: string): Promise<void> {
  const bar = await root.evaluate((el, id) => {
    const track = el.querySelector('[role=progressbar]');
    const fill = track?.querySelector<HTMLElement>('[data-testid=progress-fill]');
    if (!track || !fill) throw new Error('no progress bar');
    const trackPx = track.getBoundingClientRect().width;
    const text = Number((el.querySelector(`[data-testid=${id}]`)?.textContent ?? '').replace('%', ''));
    return { rendered: (fill.getBoundingClientRect().width / trackPx) * 100, styled: Number.parseFloat(fill.style.width), text, trackPx };
  }, percentId);
  expect(bar.styled).toBe(bar.text);
  expect(Math.abs(bar.rendered - bar.text) * (bar.trackPx / 100)).toBeLessThanOrEqual(1);
}

/** The efficiency table (scratch, SSL, Δ per fraction) against summary.csv: full values and the text shown. */
async function expectTable(table: Locator, summary: CsvRow[]): Promise<void> {
  expect(await table.locator('tbody tr').count()).toBe(summary.length);
  for (const row of summary) {
    const tr = table.locator(`tbody tr[data-fraction="${Number(row.fraction)}"]`);
    for (const [arm, column] of [['scratch', 'scratch_mean'], ['ssl', 'ssl_mean'], ['delta', 'delta']] as const) {
      const cell = tr.locator(`td[data-arm=${arm}]`);
      const expected = Number(row[column]);
      // The CSV keeps 8 significant digits.
      expect(Number(await cell.getAttribute('data-value')), `${arm} at ${row.fraction}`).toBeCloseTo(expected, 6);
      const text = (await cell.innerText()).trim();
      expect(text).toBe(arm === 'delta' ? `${expected >= 0 ? '+' : ''}${expected.toFixed(4)}` : expected.toFixed(4));
    }
  }
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'terrafuse-e2e-efficiency-'));
  serve = await startServe({ datasets: { samplePatches: SAMPLE_PATCHES } });
  browser = await launchChromium({ width: 1400, height: 860 });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  // A shared, busy machine: generous ceilings for every wait (none is measured).
  page.setDefaultTimeout(120_000);
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(serve.url);
  await page.waitForSelector('[data-testid=engine-backend]');
});

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('label-efficiency experiment from the UI', () => {
  it('pretrains a tiny S1 ↔ S2 contrastive checkpoint in a fresh workspace', async () => {
    await openPanel(page, 'Pretrain');
    const panel = page.locator('[data-testid=pretrain-panel]');
    await panel.locator('input[aria-label="Workspace folder"]').fill(workspace);
    await panel.getByRole('button', { name: 'Use' }).click();
    await expect.poll(() => panel.locator('[data-testid=workspace-folder]').innerText()).toContain(workspace);
    await panel.locator('[data-testid=dataset-select]').selectOption('__sample__');
    await expect.poll(() => panel.locator('[data-testid=dataset-facts]').innerText().catch(() => ''), { timeout: 240_000 }).toContain(`${SAMPLE_PATCHES} patches`);

    await panel.locator('[data-method=contrastive-s1s2] input').check();
    await panel.locator('[aria-label=Backbone] button', { hasText: 'ResNet' }).click();
    await panel.locator('select[aria-label=Width]').selectOption('4');
    await panel.locator('input[aria-label=Epochs]').fill('1');
    await panel.locator('input[aria-label="Batch size"]').fill('8');
    const jobId = await launchJob(page, '[data-testid=launch-pretrain]');
    await waitDetailState(page, 'done', LONG);
    const job = await callApi(serve, 'jobs.get', { jobId });
    checkpointRun = (job.result as { run: string }).run;
    await expect.poll(() => panel.locator('[data-testid=ssl-checkpoints] li').count()).toBe(1);
    expect(await panel.locator('[data-testid=ssl-checkpoints]').innerText()).toContain('contrastive-s1s2 · resnet18 ×4');
  }, LONG);

  it('launches the experiment from the Runs panel: two fractions, one seed, the checkpoint, S2 → LULC', async () => {
    // The experiment trains the Experiment panel's setup: S2 → LULC (the defaults), ResNet-18 ×4 like the checkpoint.
    await openPanel(page, 'Experiment');
    const exp = page.locator('[data-testid=experiment-panel]');
    expect(await exp.locator('[data-modality=s2] input').isChecked()).toBe(true);
    expect(await exp.locator('select[aria-label="Target 1"]').inputValue()).toBe('lulc');
    await exp.locator('[aria-label=Backbone] button', { hasText: 'ResNet' }).click();
    await exp.locator('select[aria-label=Width]').selectOption('4');
    await exp.locator('input[aria-label=Epochs]').fill(String(EPOCHS));
    await exp.locator('input[aria-label="Batch size"]').fill('8');
    await exp.locator('input[aria-label="Learning rate"]').fill(String(LR));

    // The slider stops at the shared label fractions.
    expect(Number(await exp.locator('input[aria-label="Label fraction"]').getAttribute('max'))).toBe(LABEL_FRACTION_STOPS.length - 1);

    await openPanel(page, 'Runs');
    const section = page.locator('section[aria-label="Label-efficiency experiment"]');
    // The experiment offers the same fractions as the slider (25% among them), in the same order and wording.
    const offered = section.locator('[aria-label="Label fractions"] [data-fraction]');
    expect((await offered.evaluateAll((els) => els.map((e) => e.getAttribute('data-fraction')))).map(Number)).toEqual([...LABEL_FRACTION_STOPS]);
    expect((await offered.allInnerTexts()).map((t) => t.trim())).toEqual(LABEL_FRACTION_STOPS.map(formatFraction));
    expect(await section.locator('[data-fraction="0.25"]').innerText()).toContain('25%');
    for (const box of await section.locator('[aria-label="Label fractions"] input').all()) await box.uncheck();
    for (const f of FRACTIONS) await section.locator(`[data-fraction="${f}"] input`).check();
    await section.locator('input[aria-label=Seeds]').fill('1');
    await section.locator('select[aria-label="SSL source"]').selectOption('checkpoint');
    // The checkpoint just pretrained is offered (by its run folder) and chosen.
    expect(await section.locator('select[aria-label="Experiment checkpoint"]').inputValue()).toBe(checkpointRun);
    // No problem left before launch (the checkpoint is a ResNet-18 ×4 with an S2 encoder, like the runs).
    expect(await section.locator('[data-level=error]').count()).toBe(0);
    expect(await section.innerText()).toContain(`${FRACTIONS.length * 2} runs`);
    await shot(page)('1-experiment-setup');

    const jobId = await launchJob(page, '[data-testid=launch-experiment]');
    await waitDetailState(page, 'running', LONG);
    await expectBarMatchesPercent(page.locator('[data-testid=job-detail] header'), 'detail-percent');
    await shot(page)('2-experiment-running');
    await waitDetailState(page, 'done', LONG);
    expect(await page.locator('[data-testid=detail-percent]').innerText()).toBe('100%');
    await expectBarMatchesPercent(page.locator('[data-testid=job-detail] header'), 'detail-percent');
    // The header says how the experiment ended, not its last arm's "fraction 1 seed 0 ssl: validating 1/1".
    const status = await page.locator('[data-testid=job-detail] header').innerText();
    expect(await page.locator('[data-testid=detail-status]').innerText()).toMatch(/^finished in \d/);
    expect(status).not.toMatch(/validating|seed \d/);

    const job = await callApi(serve, 'jobs.get', { jobId });
    expect(job.state).toBe('done');
    result = job.result as unknown as ExperimentResult;
    expect(result.experiment).toBe('label-efficiency');
    expect(result.metric).toBe('f1_macro');
    expect(result.checkpoint).toBe(checkpointRun);
    expect(result.rows.map((r) => `${r.fraction}/${r.arm}`).sort()).toEqual(FRACTIONS.flatMap((f) => [`${f}/scratch`, `${f}/ssl`]).sort());
    // Every arm is a real run folder whose own test metrics say the same, trained with what the panels set.
    for (const row of result.rows) {
      const run = await callApi(serve, 'training.run', { path: row.run });
      expect(run.status).toBe('done');
      expect(run.history).toHaveLength(EPOCHS);
      expect(run.config).toMatchObject({ modalities: ['s2'], backbone: 'resnet18', width: 4, labelFraction: row.fraction, seed: 0, epochs: EPOCHS, lr: LR });
      expect(run.config.from === null).toBe(row.arm === 'scratch');
      expect(row.value).not.toBeNull();
      expect(run.test?.f1_macro).toBe(row.value);
    }
    // The check of the chart can only tell the series apart where they differ: the run must not be degenerate.
    const differ = FRACTIONS.filter((f) => result.rows.find((r) => r.fraction === f && r.arm === 'ssl')?.value !== result.rows.find((r) => r.fraction === f && r.arm === 'scratch')?.value);
    expect(differ.length).toBeGreaterThan(0);
  }, LONG);

  it('draws pretrained vs scratch at the numbers the services report; the table matches the CSV', async () => {
    const chart = page.locator('[data-testid=job-detail] [data-testid=efficiency-chart]');
    await chart.waitFor();
    // Once the curve is drawn, it has the room: the last arm's loss chart is gone.
    expect(await page.locator('[data-testid=job-detail] [data-testid=loss-chart]').count()).toBe(0);
    await shot(page)('3-experiment-done');
    const drawn = await readChart(chart, { xLog: true, parseX: percent });
    const mean = (f: number, arm: 'scratch' | 'ssl') => {
      const values = result.rows.filter((r) => r.fraction === f && r.arm === arm).map((r) => r.value ?? Number.NaN);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    expectCurve(drawn, mean);
    await expectArmsApart(chart);
    // Scratch points are rings around the SSL dots, so an arm stays visible where both have the same value.
    expect(await chart.locator('circle[data-series=scratch][fill=none]').count()).toBe(FRACTIONS.length);
    expect(await chart.locator('circle[data-series=ssl]:not([fill=none])').count()).toBe(FRACTIONS.length);
    // The job's summary and summary.csv agree with the rows (one seed: the mean is the run's value).
    const summary = readCsv(result.files.summary);
    for (const s of result.summary) {
      expect(s.scratch.mean).toBeCloseTo(mean(s.fraction, 'scratch'), 12);
      expect(s.ssl.mean).toBeCloseTo(mean(s.fraction, 'ssl'), 12);
    }
    const results = readCsv(result.files.results);
    expect(results).toHaveLength(result.rows.length);
    for (const r of result.rows) {
      const line = results.find((c) => Number(c.fraction) === r.fraction && c.arm === r.arm);
      expect(Number(line?.value)).toBeCloseTo(r.value ?? Number.NaN, 6);
    }
    await expectTable(chart.locator('[data-testid=efficiency-table]'), summary);
  });

  it('rebuilds the same curve from the run folders in the Runs view', async () => {
    const exps = page.locator('[data-testid=runs-panel] [data-testid=experiment-folder]');
    await expect.poll(() => exps.count()).toBe(1);
    expect(await exps.first().innerText()).toContain(`${result.rows.length} runs`);
    await exps.first().getByRole('button', { name: 'Curve' }).click();
    const view = page.locator('[data-testid=runs-view]');
    await expect.poll(() => view.locator('[data-testid=runs-table] tbody tr').count()).toBe(result.rows.length);
    const chart = view.locator('[data-testid=efficiency-chart]');
    await chart.waitFor();
    await shot(page)('4-runs-view-curve');
    const byRun = new Map(result.rows.map((r) => [`${r.fraction}/${r.arm}`, r.value ?? Number.NaN]));
    expectCurve(await readChart(chart, { xLog: true, parseX: percent }), (f, arm) => byRun.get(`${f}/${arm}`) ?? Number.NaN);
    await expectArmsApart(chart);
    // The arms share their setup: said once above the table, which keeps initialisation, labels and the scores.
    expect(await view.locator('[data-testid=runs-constant]').innerText()).toBe(`All ${result.rows.length} runs: done · Sentinel-2 · early fusion · ${EPOCHS} epochs`);
    // Next to the curve, the table still shows every column (the metrics on the right) without sideways scrolling.
    const fit = await view.locator('[data-testid=runs-table]').evaluate((t) => {
      const box = t.parentElement as HTMLElement;
      const last = t.querySelector('thead th:last-child')?.getBoundingClientRect();
      return { overflow: box.scrollWidth - box.clientWidth, lastRight: last?.right ?? Infinity, boxRight: box.getBoundingClientRect().right };
    });
    expect(await view.locator('[data-testid=runs-table] th[data-metric]').count()).toBeGreaterThanOrEqual(4);
    expect(fit.overflow).toBeLessThanOrEqual(0);
    expect(fit.lastRight).toBeLessThanOrEqual(fit.boxRight + 0.5);
    await expectTable(chart.locator('[data-testid=efficiency-table]'), readCsv(result.files.summary));
    expect(problems).toEqual([]);
  });
});
