/**
 * The BigEarthNet label nomenclature: the 43 CORINE Land Cover level-3 classes of BigEarthNet v1, the 19-class
 * nomenclature of Sumbul et al. (2021) used by BigEarthNet-MM and reBEN, and the 43 -> 19 mapping (null: the
 * class has no 19-class counterpart and is dropped). This is public vocabulary (the same lists ship with every
 * BigEarthNet release), kept here as constants so that label order is fixed in code; a test checks it against
 * `../shared/data/bigearthnet-v1/label-nomenclature.json`.
 *
 * `CLC_CODES` adds the CORINE numeric codes of the 43 classes, which reBEN's `*_reference_map.tif` rasters hold
 * per pixel. CORINE's 44th level-3 class, 335 "Glaciers and perpetual snow", is not part of BigEarthNet.
 */

export const BEN43_CLASSES = [
  "Continuous urban fabric",
  "Discontinuous urban fabric",
  "Industrial or commercial units",
  "Road and rail networks and associated land",
  "Port areas",
  "Airports",
  "Mineral extraction sites",
  "Dump sites",
  "Construction sites",
  "Green urban areas",
  "Sport and leisure facilities",
  "Non-irrigated arable land",
  "Permanently irrigated land",
  "Rice fields",
  "Vineyards",
  "Fruit trees and berry plantations",
  "Olive groves",
  "Pastures",
  "Annual crops associated with permanent crops",
  "Complex cultivation patterns",
  "Land principally occupied by agriculture, with significant areas of natural vegetation",
  "Agro-forestry areas",
  "Broad-leaved forest",
  "Coniferous forest",
  "Mixed forest",
  "Natural grassland",
  "Moors and heathland",
  "Sclerophyllous vegetation",
  "Transitional woodland/shrub",
  "Beaches, dunes, sands",
  "Bare rock",
  "Sparsely vegetated areas",
  "Burnt areas",
  "Inland marshes",
  "Peatbogs",
  "Salt marshes",
  "Salines",
  "Intertidal flats",
  "Water courses",
  "Water bodies",
  "Coastal lagoons",
  "Estuaries",
  "Sea and ocean",
] as const;
export type Ben43Class = (typeof BEN43_CLASSES)[number];

export const BEN19_CLASSES = [
  "Urban fabric",
  "Industrial or commercial units",
  "Arable land",
  "Permanent crops",
  "Pastures",
  "Complex cultivation patterns",
  "Land principally occupied by agriculture, with significant areas of natural vegetation",
  "Agro-forestry areas",
  "Broad-leaved forest",
  "Coniferous forest",
  "Mixed forest",
  "Natural grassland and sparsely vegetated areas",
  "Moors, heathland and sclerophyllous vegetation",
  "Transitional woodland, shrub",
  "Beaches, dunes, sands",
  "Inland wetlands",
  "Coastal wetlands",
  "Inland waters",
  "Marine waters",
] as const;
export type Ben19Class = (typeof BEN19_CLASSES)[number];

/** 43-class name -> 19-class name, or null when BigEarthNet-19 drops the class. */
export const BEN43_TO_BEN19: Record<Ben43Class, Ben19Class | null> = {
  "Continuous urban fabric": "Urban fabric",
  "Discontinuous urban fabric": "Urban fabric",
  "Industrial or commercial units": "Industrial or commercial units",
  "Road and rail networks and associated land": null,
  "Port areas": null,
  "Airports": null,
  "Mineral extraction sites": null,
  "Dump sites": null,
  "Construction sites": null,
  "Green urban areas": null,
  "Sport and leisure facilities": null,
  "Non-irrigated arable land": "Arable land",
  "Permanently irrigated land": "Arable land",
  "Rice fields": "Arable land",
  "Vineyards": "Permanent crops",
  "Fruit trees and berry plantations": "Permanent crops",
  "Olive groves": "Permanent crops",
  "Pastures": "Pastures",
  "Annual crops associated with permanent crops": "Permanent crops",
  "Complex cultivation patterns": "Complex cultivation patterns",
  "Land principally occupied by agriculture, with significant areas of natural vegetation": "Land principally occupied by agriculture, with significant areas of natural vegetation",
  "Agro-forestry areas": "Agro-forestry areas",
  "Broad-leaved forest": "Broad-leaved forest",
  "Coniferous forest": "Coniferous forest",
  "Mixed forest": "Mixed forest",
  "Natural grassland": "Natural grassland and sparsely vegetated areas",
  "Moors and heathland": "Moors, heathland and sclerophyllous vegetation",
  "Sclerophyllous vegetation": "Moors, heathland and sclerophyllous vegetation",
  "Transitional woodland/shrub": "Transitional woodland, shrub",
  "Beaches, dunes, sands": "Beaches, dunes, sands",
  "Bare rock": null,
  "Sparsely vegetated areas": "Natural grassland and sparsely vegetated areas",
  "Burnt areas": null,
  "Inland marshes": "Inland wetlands",
  "Peatbogs": "Inland wetlands",
  "Salt marshes": "Coastal wetlands",
  "Salines": "Coastal wetlands",
  "Intertidal flats": null,
  "Water courses": "Inland waters",
  "Water bodies": "Inland waters",
  "Coastal lagoons": "Marine waters",
  "Estuaries": "Marine waters",
  "Sea and ocean": "Marine waters",
};

/** CORINE level-3 code of each 43-class label, in BEN43_CLASSES order. */
export const CLC_CODES: readonly number[] = [111, 112, 121, 122, 123, 124, 131, 132, 133, 141, 142, 211, 212, 213, 221, 222, 223, 231, 241, 242, 243, 244, 311, 312, 313, 321, 322, 323, 324, 331, 332, 333, 334, 411, 412, 421, 422, 423, 511, 512, 521, 522, 523];
const BEN43_INDEX = new Map<string, number>(BEN43_CLASSES.map((n, i) => [n, i]));
const BEN19_INDEX = new Map<string, number>(BEN19_CLASSES.map((n, i) => [n, i]));
const CLC_CODE_INDEX = new Map<number, number>(CLC_CODES.map((c, i) => [c, i]));

/** Index of a 43-class name (exact BigEarthNet spelling), or -1. */
export function ben43Index(name: string): number {
  return BEN43_INDEX.get(name) ?? -1;
}

/** Index of a 19-class name, or -1. */
export function ben19Index(name: string): number {
  return BEN19_INDEX.get(name) ?? -1;
}

/** 43-class index of a CORINE code (e.g. 211 -> "Non-irrigated arable land"), or -1 for codes outside BigEarthNet. */
export function ben43IndexOfClcCode(code: number): number {
  return CLC_CODE_INDEX.get(code) ?? -1;
}

/** 19-class index for a 43-class index, or -1 when the class is dropped. */
export const BEN43_TO_BEN19_INDEX: readonly number[] = BEN43_CLASSES.map((n) => {
  const m = BEN43_TO_BEN19[n];
  return m === null ? -1 : ben19Index(m);
});
