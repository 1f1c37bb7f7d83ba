// The preload script of the Terrafuse window (sandboxed: it may only use contextBridge and ipcRenderer). It
// exposes `window.terrafuse` = { call, on } — the typed contract's transport — and nothing else.
// @ts-ignore -- electron is an optional dependency whose types are absent when its download failed; the local
// ElectronPreload interface types what is used either way.
import * as electronModule from 'electron';
import type { ElectronPreload } from './electron-api';
import { createPreloadApi } from './preload-api';

const { contextBridge, ipcRenderer } = electronModule as unknown as ElectronPreload;

contextBridge.exposeInMainWorld('terrafuse', createPreloadApi(ipcRenderer));
