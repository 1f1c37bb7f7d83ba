/**
 * A minimal TIFF writer for tests: one uncompressed strip and exactly the tags we ask for (geotiff.js's writer
 * adds default georeferencing and is big-endian only, which hides the edge cases we want to test: PixelIsPoint,
 * GCPs, negative ScaleY, user-defined CRS keys, odd nodata strings, byte order).
 */

export type TagType = 'BYTE' | 'ASCII' | 'SHORT' | 'LONG' | 'DOUBLE';
export interface Tag {
  type: TagType;
  value: number[] | string;
}
export type GeoKeyValue = number | number[] | string;

export interface TinyTiffSpec {
  width: number;
  height: number;
  samples?: number;
  bitsPerSample: number;
  /** 1 unsigned, 2 signed, 3 float. */
  sampleFormat: 1 | 2 | 3;
  /** Pixel-interleaved samples, row-major; written in the file's byte order. */
  data: ArrayLike<number>;
  littleEndian?: boolean;
  photometric?: number;
  /** Extra tags by number (ModelPixelScale 33550, ModelTiepoint 33922, ModelTransformation 34264, GDAL_NODATA 42113...). */
  tags?: Record<number, Tag>;
  /** GeoKeys as [key id, value]; numbers go inline, arrays to GeoDoubleParams, strings to GeoAsciiParams. */
  geoKeys?: [number, GeoKeyValue][];
}

const TYPE_CODE: Record<TagType, number> = { BYTE: 1, ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12 };
const TYPE_SIZE: Record<TagType, number> = { BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, DOUBLE: 8 };

function geoKeyTags(keys: [number, GeoKeyValue][]): Record<number, Tag> {
  const dir: number[] = [1, 1, 0, keys.length];
  const doubles: number[] = [];
  let ascii = '';
  for (const [key, value] of [...keys].sort((a, b) => a[0] - b[0])) {
    if (typeof value === 'number') dir.push(key, 0, 1, value);
    else if (typeof value === 'string') {
      dir.push(key, 34737, value.length + 1, ascii.length);
      ascii += `${value}|`;
    } else {
      dir.push(key, 34736, value.length, doubles.length);
      doubles.push(...value);
    }
  }
  const tags: Record<number, Tag> = { 34735: { type: 'SHORT', value: dir } };
  if (doubles.length) tags[34736] = { type: 'DOUBLE', value: doubles };
  if (ascii) tags[34737] = { type: 'ASCII', value: ascii };
  return tags;
}

export function tinyTiff(spec: TinyTiffSpec): Uint8Array {
  const le = spec.littleEndian ?? true;
  const samples = spec.samples ?? 1;
  const bytesPerSample = spec.bitsPerSample / 8;
  const dataBytes = spec.width * spec.height * samples * bytesPerSample;
  const tags: Record<number, Tag> = {
    256: { type: 'LONG', value: [spec.width] },
    257: { type: 'LONG', value: [spec.height] },
    258: { type: 'SHORT', value: Array(samples).fill(spec.bitsPerSample) },
    259: { type: 'SHORT', value: [1] },
    262: { type: 'SHORT', value: [spec.photometric ?? 1] },
    273: { type: 'LONG', value: [8] },
    277: { type: 'SHORT', value: [samples] },
    278: { type: 'LONG', value: [spec.height] },
    279: { type: 'LONG', value: [dataBytes] },
    284: { type: 'SHORT', value: [1] },
    339: { type: 'SHORT', value: Array(samples).fill(spec.sampleFormat) },
    ...(spec.geoKeys ? geoKeyTags(spec.geoKeys) : {}),
    ...spec.tags,
  };
  const ids = Object.keys(tags).map(Number).sort((a, b) => a - b);
  const ifdOffset = 8 + dataBytes + (dataBytes % 2);
  const ifdSize = 2 + ids.length * 12 + 4;
  // Values that do not fit in 4 bytes go after the IFD.
  let extra = ifdOffset + ifdSize;
  const layout = ids.map((id) => {
    const tag = tags[id];
    const count = typeof tag.value === 'string' ? tag.value.length + 1 : tag.value.length;
    const size = count * TYPE_SIZE[tag.type];
    const offset = size > 4 ? extra : -1;
    if (size > 4) extra += size + (size % 2);
    return { id, tag, count, size, offset };
  });
  const buf = new ArrayBuffer(extra);
  const view = new DataView(buf);
  const bytes = new Uint8Array(buf);
  bytes.set(le ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  view.setUint16(2, 42, le);
  view.setUint32(4, ifdOffset, le);
  // Pixel data.
  for (let i = 0; i < spec.data.length; i++) {
    const p = 8 + i * bytesPerSample;
    const v = spec.data[i];
    if (spec.sampleFormat === 3) {
      if (bytesPerSample === 4) view.setFloat32(p, v, le);
      else view.setFloat64(p, v, le);
    } else if (bytesPerSample === 1) view.setUint8(p, v & 0xff);
    else if (bytesPerSample === 2) view.setUint16(p, v & 0xffff, le);
    else view.setUint32(p, v >>> 0, le);
  }
  const writeValues = (p: number, tag: Tag): void => {
    if (typeof tag.value === 'string') {
      for (let i = 0; i < tag.value.length; i++) bytes[p + i] = tag.value.charCodeAt(i);
      return;
    }
    tag.value.forEach((v, i) => {
      if (tag.type === 'BYTE') view.setUint8(p + i, v);
      else if (tag.type === 'SHORT') view.setUint16(p + 2 * i, v, le);
      else if (tag.type === 'LONG') view.setUint32(p + 4 * i, v, le);
      else view.setFloat64(p + 8 * i, v, le);
    });
  };
  view.setUint16(ifdOffset, ids.length, le);
  layout.forEach(({ id, tag, count, offset }, i) => {
    const e = ifdOffset + 2 + i * 12;
    view.setUint16(e, id, le);
    view.setUint16(e + 2, TYPE_CODE[tag.type], le);
    view.setUint32(e + 4, count, le);
    if (offset < 0) writeValues(e + 8, tag);
    else {
      view.setUint32(e + 8, offset, le);
      writeValues(offset, tag);
    }
  });
  view.setUint32(ifdOffset + ifdSize - 4, 0, le);
  return bytes;
}
