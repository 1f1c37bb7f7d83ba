import Layer from 'ol/layer/Layer';
import type { FrameState } from 'ol/Map';
import ViewHint from 'ol/ViewHint';
import { FRAGMENT_SHADER, VERTEX_SHADER, FLAG_FOCUS, FLAG_SELECTED, FLAG_SHOWN, pointSizeAt } from './shaders';

/**
 * The canvas reaches this share of the viewport beyond each edge. While the map is dragged, the last frame is
 * moved with a CSS transform instead of being drawn again (software-rendered WebGL in a busy browser cannot redraw
 * 100,000 points at 60 frames per second); the margin keeps the uncovered strip filled until the next full draw.
 */
const MARGIN = 0.25;

/** The frame a canvas was last drawn for, to move it instead of redrawing while only the centre changes. */
interface DrawnFrame {
  transform: number[];
  width: number;
  height: number;
  ratio: number;
  margin: [number, number];
  worlds: string;
}

/** Width of the Web Mercator world in metres: a wrapped map repeats the data every this many metres. */
const WORLD_WIDTH = 2 * 20037508.342789244;

export interface PointsData {
  /** EPSG:3857 centres; NaN for patches without a place. */
  x: Float64Array;
  y: Float64Array;
}

interface GlState {
  gl: WebGL2RenderingContext;
  program: WebGLProgram;
  vao: WebGLVertexArrayObject;
  pos: WebGLBuffer;
  code: WebGLBuffer;
  flags: WebGLBuffer;
  table: WebGLTexture;
  uniforms: Record<string, WebGLUniformLocation | null>;
}

/**
 * Patch centres drawn with WebGL2 from typed arrays: 100,000 patches are one draw call, and a change of colouring,
 * filter or selection re-uploads one byte per patch. An OpenLayers layer with its own `render`, so it sits in the
 * layer stack (order, opacity, visibility, min/max zoom) like any other. Without WebGL2 it draws squares on a 2D
 * canvas, slower but the same picture.
 */
export class PatchPointsLayer extends Layer {
  readonly #container: HTMLDivElement;
  readonly #canvas: HTMLCanvasElement;
  #gl: GlState | null = null;
  #ctx2d: CanvasRenderingContext2D | null = null;
  #count = 0;
  #origin: [number, number] = [0, 0];
  #x: Float64Array = new Float64Array(0);
  #y: Float64Array = new Float64Array(0);
  #positions: Float32Array = new Float32Array(0);
  #codes: Uint8Array = new Uint8Array(0);
  #flags: Uint8Array = new Uint8Array(0);
  #table: Uint8Array = new Uint8Array(256 * 4);
  #dirty = { positions: true, codes: true, flags: true, table: true };
  #suppressed = false;
  /** Patches drawn again on top with a ring (selected or focused); pass 1 is skipped without any. */
  #ringed = 0;
  #drawnFrame: DrawnFrame | null = null;
  /** Shown patches drawn in the last frame (for the status line and the tests). */
  drawn = 0;
  /** Called after a frame with patches in it. */
  onDrawn: ((count: number) => void) | null = null;

  constructor(options: { zIndex?: number; maxZoom?: number; className?: string } = {}) {
    super({ ...options, render: (frameState: FrameState) => this.#render(frameState) });
    this.#container = document.createElement('div');
    this.#container.className = options.className ?? 'tf-patch-points';
    this.#container.style.cssText = 'position:absolute;inset:0;pointer-events:none';
    this.#canvas = document.createElement('canvas');
    this.#canvas.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%';
    this.#container.appendChild(this.#canvas);
    this.#canvas.addEventListener('webglcontextlost', (e) => {
      e.preventDefault();
      this.#gl = null;
    });
    this.#canvas.addEventListener('webglcontextrestored', () => {
      this.#dirty = { positions: true, codes: true, flags: true, table: true };
      this.changed();
    });
  }

  /** 'webgl2' or '2d' once the first frame was drawn. */
  get backend(): 'webgl2' | '2d' | null {
    return this.#gl ? 'webgl2' : this.#ctx2d ? '2d' : null;
  }

  setPoints(data: PointsData): void {
    const n = data.x.length;
    // The origin is the first placed patch: any point of the data keeps float32 offsets small.
    let ox = 0;
    let oy = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(data.x[i])) {
        ox = data.x[i];
        oy = data.y[i];
        break;
      }
    }
    const pos = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      // Unplaced patches go far outside any view (their flags hide them too).
      pos[2 * i] = Number.isNaN(data.x[i]) ? 1e30 : data.x[i] - ox;
      pos[2 * i + 1] = Number.isNaN(data.y[i]) ? 1e30 : data.y[i] - oy;
    }
    this.#count = n;
    this.#origin = [ox, oy];
    this.#x = data.x;
    this.#y = data.y;
    this.#positions = pos;
    if (this.#codes.length !== n) this.#codes = new Uint8Array(n);
    if (this.#flags.length !== n) this.#flags = new Uint8Array(n);
    this.#dirty = { positions: true, codes: true, flags: true, table: true };
    this.changed();
  }

  /** Category code per patch and the RGBA colour table (256 × 4 bytes) the codes index. */
  setColours(codes: Uint8Array, table: Uint8Array): void {
    if (codes.length !== this.#count) throw new Error(`${codes.length} colour codes for ${this.#count} points`);
    this.#codes = codes;
    this.#table = table;
    this.#dirty.codes = true;
    this.#dirty.table = true;
    this.changed();
  }

  /** FLAG_* bits per patch. The array is read at the next frame: mutate it, then call this again. */
  setFlags(flags: Uint8Array): void {
    if (flags.length !== this.#count) throw new Error(`${flags.length} flags for ${this.#count} points`);
    this.#flags = flags;
    this.#dirty.flags = true;
    this.changed();
  }

  /** Draw nothing for now (footprints stand in for the points), without touching the user's visibility. */
  setSuppressed(suppressed: boolean): void {
    if (suppressed === this.#suppressed) return;
    this.#suppressed = suppressed;
    this.changed();
  }

  clear(): void {
    this.setPoints({ x: new Float64Array(0), y: new Float64Array(0) });
  }

  #render(frameState: FrameState): HTMLElement {
    const [width, height] = frameState.size;
    const ratio = frameState.pixelRatio;
    const state = frameState.layerStatesArray[frameState.layerIndex];
    this.#canvas.style.opacity = String(state?.opacity ?? 1);
    const worlds = this.#worlds(frameState);
    const moving = frameState.viewHints[ViewHint.INTERACTING] > 0 || frameState.viewHints[ViewHint.ANIMATING] > 0;
    if (moving && this.#shift(frameState, worlds)) return this.#container;

    const margin: [number, number] = [Math.round(width * MARGIN), Math.round(height * MARGIN)];
    const w = Math.round((width + 2 * margin[0]) * ratio);
    const h = Math.round((height + 2 * margin[1]) * ratio);
    if (this.#canvas.width !== w || this.#canvas.height !== h) {
      this.#canvas.width = w;
      this.#canvas.height = h;
    }
    const style = this.#canvas.style;
    style.left = `${-margin[0]}px`;
    style.top = `${-margin[1]}px`;
    style.width = `${width + 2 * margin[0]}px`;
    style.height = `${height + 2 * margin[1]}px`;
    style.transform = '';

    const zoom = frameState.viewState.zoom;
    const size = pointSizeAt(zoom, this.#count);
    if (!this.#gl && !this.#ctx2d) this.#init();
    if (this.#gl) this.#drawGl(this.#gl, frameState, worlds, size, margin);
    else if (this.#ctx2d) this.#draw2d(this.#ctx2d, frameState, worlds, size, margin);
    this.#drawnFrame = { transform: [...frameState.coordinateToPixelTransform], width, height, ratio, margin, worlds: worlds.join(',') };
    return this.#container;
  }

  /**
   * Moves the last drawn frame by CSS when only the view centre changed since (a pan) and the move stays within
   * the margin; false when a full draw is needed (zoom, rotation, new data, resize, a long pan).
   */
  #shift(frameState: FrameState, worlds: number[]): boolean {
    const last = this.#drawnFrame;
    const dirty = this.#dirty.positions || this.#dirty.codes || this.#dirty.flags || this.#dirty.table;
    if (!last || dirty) return false;
    const [width, height] = frameState.size;
    if (last.width !== width || last.height !== height || last.ratio !== frameState.pixelRatio || last.worlds !== worlds.join(',')) return false;
    const t = frameState.coordinateToPixelTransform;
    for (let k = 0; k < 4; k++) if (Math.abs(t[k] - last.transform[k]) > 1e-12 * Math.max(1, Math.abs(t[k]))) return false;
    // The same linear part: the frame moved by the change of the translation, the same for every point.
    const dx = t[4] - last.transform[4];
    const dy = t[5] - last.transform[5];
    if (Math.abs(dx) > last.margin[0] || Math.abs(dy) > last.margin[1]) return false;
    this.#canvas.style.transform = `translate(${dx}px, ${dy}px)`;
    return true;
  }

  /** x offsets of the world copies in view (a wrapped map shows the data again every 360°). */
  #worlds(frameState: FrameState): number[] {
    const extent = frameState.extent;
    if (!extent) return [0];
    const k0 = Math.floor((extent[0] + WORLD_WIDTH / 2) / WORLD_WIDTH);
    const k1 = Math.floor((extent[2] + WORLD_WIDTH / 2) / WORLD_WIDTH);
    const out: number[] = [];
    for (let k = Math.max(k0, -2); k <= Math.min(k1, 2); k++) out.push(k * WORLD_WIDTH);
    return out.length ? out : [0];
  }

  #init(): void {
    const gl = this.#canvas.getContext('webgl2', { premultipliedAlpha: true, antialias: false, preserveDrawingBuffer: false });
    if (gl) {
      try {
        this.#gl = createGlState(gl);
        return;
      } catch (err) {
        console.warn('WebGL2 points failed, drawing on a 2D canvas:', err);
      }
    }
    this.#ctx2d = this.#canvas.getContext('2d');
  }

  /** Counts the shown patches, and among them those drawn again with a ring. */
  #countFlags(): number {
    let n = 0;
    let ringed = 0;
    for (let i = 0; i < this.#count; i++) {
      const f = this.#flags[i];
      if (!(f & FLAG_SHOWN)) continue;
      n++;
      if (f & (FLAG_SELECTED | FLAG_FOCUS)) ringed++;
    }
    this.#ringed = ringed;
    return n;
  }

  #drawGl(s: GlState, frameState: FrameState, worlds: number[], size: number, margin: [number, number]): void {
    const { gl } = s;
    gl.viewport(0, 0, this.#canvas.width, this.#canvas.height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (this.#suppressed || this.#count === 0) {
      this.drawn = 0;
      return;
    }
    gl.useProgram(s.program);
    gl.bindVertexArray(s.vao);
    if (this.#dirty.positions) {
      gl.bindBuffer(gl.ARRAY_BUFFER, s.pos);
      gl.bufferData(gl.ARRAY_BUFFER, this.#positions, gl.STATIC_DRAW);
    }
    if (this.#dirty.codes) {
      gl.bindBuffer(gl.ARRAY_BUFFER, s.code);
      gl.bufferData(gl.ARRAY_BUFFER, this.#codes, gl.DYNAMIC_DRAW);
    }
    if (this.#dirty.flags) {
      gl.bindBuffer(gl.ARRAY_BUFFER, s.flags);
      gl.bufferData(gl.ARRAY_BUFFER, this.#flags, gl.DYNAMIC_DRAW);
    }
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, s.table);
    if (this.#dirty.table) gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, this.#table);
    const flagsChanged = this.#dirty.flags || this.#dirty.positions;
    this.#dirty = { positions: false, codes: false, flags: false, table: false };

    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    if (flagsChanged || this.drawn === 0) this.drawn = this.#countFlags();
    const u = s.uniforms;
    const [a, b, c, d, e0, f0] = frameState.coordinateToPixelTransform;
    // Pixels of the canvas, which starts `margin` CSS pixels beyond the viewport's top-left corner.
    const e = e0 + margin[0];
    const f = f0 + margin[1];
    const [width, height] = frameState.size;
    gl.uniform2f(u.u_ax, a, b);
    gl.uniform2f(u.u_ay, c, d);
    gl.uniform2f(u.u_size, width + 2 * margin[0], height + 2 * margin[1]);
    gl.uniform1f(u.u_ratio, frameState.pixelRatio);
    gl.uniform1f(u.u_point, size);
    gl.uniform1i(u.u_table, 0);
    for (const pass of this.#ringed > 0 ? [0, 1] : [0]) {
      gl.uniform1i(u.u_pass, pass);
      for (const wx of worlds) {
        const ox = this.#origin[0] + wx;
        const oy = this.#origin[1];
        gl.uniform2f(u.u_t, a * ox + c * oy + e, b * ox + d * oy + f);
        gl.drawArrays(gl.POINTS, 0, this.#count);
      }
    }
    gl.bindVertexArray(null);
    if (this.drawn > 0) this.onDrawn?.(this.drawn);
  }

  #draw2d(ctx: CanvasRenderingContext2D, frameState: FrameState, worlds: number[], size: number, margin: [number, number]): void {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.#canvas.width, this.#canvas.height);
    if (this.#suppressed || this.#count === 0) {
      this.drawn = 0;
      return;
    }
    const r = frameState.pixelRatio;
    const [a, b, c, d, e, f] = frameState.coordinateToPixelTransform;
    const half = (size * r) / 2;
    const t = this.#table;
    let drawn = 0;
    for (const wx of worlds) {
      for (let i = 0; i < this.#count; i++) {
        if (!(this.#flags[i] & FLAG_SHOWN)) continue;
        const x = this.#x[i] + wx;
        const y = this.#y[i];
        const px = (a * x + c * y + e + margin[0]) * r;
        const py = (b * x + d * y + f + margin[1]) * r;
        const k = this.#codes[i] * 4;
        ctx.fillStyle = `rgb(${t[k]},${t[k + 1]},${t[k + 2]})`;
        ctx.fillRect(px - half, py - half, 2 * half, 2 * half);
        drawn++;
      }
    }
    this.drawn = drawn / worlds.length;
    if (this.drawn > 0) this.onDrawn?.(this.drawn);
  }
}

function compile(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type);
  if (!shader) throw new Error('createShader failed');
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(shader) ?? 'compile error'}`);
  return shader;
}

function createGlState(gl: WebGL2RenderingContext): GlState {
  const program = gl.createProgram();
  if (!program) throw new Error('createProgram failed');
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX_SHADER));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT_SHADER));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(program) ?? 'link error'}`);
  const vao = gl.createVertexArray();
  const pos = gl.createBuffer();
  const code = gl.createBuffer();
  const flags = gl.createBuffer();
  const table = gl.createTexture();
  if (!vao || !pos || !code || !flags || !table) throw new Error('WebGL resources could not be created');
  gl.bindVertexArray(vao);
  const attrib = (name: string) => {
    const loc = gl.getAttribLocation(program, name);
    if (loc < 0) throw new Error(`attribute ${name} missing`);
    gl.enableVertexAttribArray(loc);
    return loc;
  };
  gl.bindBuffer(gl.ARRAY_BUFFER, pos);
  gl.vertexAttribPointer(attrib('a_pos'), 2, gl.FLOAT, false, 0, 0);
  gl.bindBuffer(gl.ARRAY_BUFFER, code);
  gl.vertexAttribIPointer(attrib('a_code'), 1, gl.UNSIGNED_BYTE, 0, 0);
  gl.bindBuffer(gl.ARRAY_BUFFER, flags);
  gl.vertexAttribIPointer(attrib('a_flags'), 1, gl.UNSIGNED_BYTE, 0, 0);
  gl.bindVertexArray(null);
  gl.bindTexture(gl.TEXTURE_2D, table);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  const uniforms: Record<string, WebGLUniformLocation | null> = {};
  for (const name of ['u_ax', 'u_ay', 'u_t', 'u_size', 'u_ratio', 'u_point', 'u_pass', 'u_table']) uniforms[name] = gl.getUniformLocation(program, name);
  return { gl, program, vao, pos, code, flags, table, uniforms };
}
