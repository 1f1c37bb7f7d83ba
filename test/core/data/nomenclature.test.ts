import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEN19_CLASSES, BEN43_CLASSES, BEN43_TO_BEN19, BEN43_TO_BEN19_INDEX, ben43IndexOfClcCode, CLC_CODES } from '../../../src-main/core/data/bigearthnet-nomenclature';

const shared = JSON.parse(readFileSync(join(__dirname, '../../../../shared/data/bigearthnet-v1/label-nomenclature.json'), 'utf8')) as {
  clc43: string[];
  ben19: string[];
  clc43_to_ben19: Record<string, string | null>;
};

describe('BigEarthNet nomenclature constant', () => {
  it('equals the shared label-nomenclature.json (names, order, 43 -> 19 mapping)', () => {
    expect([...BEN43_CLASSES]).toEqual(shared.clc43);
    expect([...BEN19_CLASSES]).toEqual(shared.ben19);
    expect(BEN43_TO_BEN19).toEqual(shared.clc43_to_ben19);
  });

  it('maps CORINE codes and indices consistently', () => {
    expect(CLC_CODES).toHaveLength(43);
    expect(new Set(CLC_CODES).size).toBe(43);
    expect(BEN43_CLASSES[ben43IndexOfClcCode(211)]).toBe('Non-irrigated arable land');
    expect(BEN43_CLASSES[ben43IndexOfClcCode(312)]).toBe('Coniferous forest');
    expect(BEN43_CLASSES[ben43IndexOfClcCode(523)]).toBe('Sea and ocean');
    expect(ben43IndexOfClcCode(335)).toBe(-1); // glaciers: not in BigEarthNet
    BEN43_CLASSES.forEach((name, i) => {
      const m = shared.clc43_to_ben19[name];
      expect(BEN43_TO_BEN19_INDEX[i]).toBe(m === null ? -1 : shared.ben19.indexOf(m));
    });
  });
});
