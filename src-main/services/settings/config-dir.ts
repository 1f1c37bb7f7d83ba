import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The user's Terrafuse config folder: TERRAFUSE_CONFIG_DIR if set (tests, portable installs), else the platform's
 * convention — $XDG_CONFIG_HOME/terrafuse (default ~/.config/terrafuse) on Linux, ~/Library/Application
 * Support/Terrafuse on macOS, %APPDATA%\Terrafuse on Windows. The CLI and the desktop app share it.
 */
export function defaultConfigDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env.TERRAFUSE_CONFIG_DIR?.trim();
  if (override) return resolve(override);
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Terrafuse');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Terrafuse');
  // The XDG spec says relative values are invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME?.trim();
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'terrafuse');
}
