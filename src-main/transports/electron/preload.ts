// The preload script of the Terrafuse window (sandboxed: it may only use contextBridge and ipcRenderer). It
// exposes `window.terrafuse` = { call, on } — the typed contract's transport — and nothing else.
// @ts-ignore -- electron is an optional dependency whose types are absent when its download failed; the local
// ElectronPreload interface types what is used either way.
import { contextBridge as bridgeModule, ipcRenderer as rendererModule } from 'electron';
import type { ElectronPreload } from './electron-api';
import { createPreloadApi } from './preload-api';

// Named imports compile to plain property reads of require('electron'); the sandboxed preload's electron module
// need not have enumerable properties for a namespace copy.
const contextBridge = bridgeModule as unknown as ElectronPreload['contextBridge'];
const ipcRenderer = rendererModule as unknown as ElectronPreload['ipcRenderer'];

contextBridge.exposeInMainWorld('terrafuse', createPreloadApi(ipcRenderer));
