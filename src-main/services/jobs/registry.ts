import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinJobKinds } from './kinds';

/** A job kind name: dotted lowercase words ("train", "predict.scene", "demo.sleep"). */
const KIND_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

/**
 * Which job kinds exist and where their code is: the built-in table (kinds.ts, bundled) plus kinds registered at
 * run time with the URL of their module, which the worker imports (tests, plugins; through tsx in development).
 */
export class JobKindRegistry {
  private readonly modules = new Map<string, string>();

  /** `module`: an absolute path or a file: URL of a module whose default export is defineJobKind({...}). */
  register(name: string, module: string | URL): void {
    if (!KIND_NAME.test(name)) throw new Error(`invalid job kind name: ${name}`);
    if (Object.prototype.hasOwnProperty.call(builtinJobKinds, name)) throw new Error(`job kind ${name} is built in`);
    const url = module instanceof URL ? module.href : isAbsolute(module) ? pathToFileURL(module).href : module;
    if (!url.startsWith('file:')) throw new Error(`job kind ${name}: module must be a file path or file: URL, got ${url}`);
    const existing = this.modules.get(name);
    if (existing !== undefined && existing !== url) throw new Error(`job kind ${name} is already registered with ${existing}`);
    this.modules.set(name, url);
  }

  has(name: string): boolean {
    return this.modules.has(name) || Object.prototype.hasOwnProperty.call(builtinJobKinds, name);
  }

  /** The module URL of a run-time kind, undefined for built-in ones (the worker looks those up by name). */
  moduleOf(name: string): string | undefined {
    return this.modules.get(name);
  }

  names(): string[] {
    return [...new Set([...Object.keys(builtinJobKinds), ...this.modules.keys()])].sort();
  }
}
