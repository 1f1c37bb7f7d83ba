import { mount } from 'svelte';
import 'ol/ol.css';
import './styles/app.css';
import { createApiClient } from '../../src-main/api/client';
import { ApiSession } from './lib/api/session.svelte';
import { Workbench } from './lib/workbench.svelte';
import App from './App.svelte';

// One client for the whole renderer: Electron IPC when the preload exposed it, serve mode (HTTP + WebSocket)
// otherwise. Everything the UI knows about the services comes through it.
const session = new ApiSession(createApiClient());
const workbench = new Workbench(session, window.location, window.history);

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element');
mount(App, { target, props: { workbench } });
session.start();
