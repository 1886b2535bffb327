// Saved messages of the composer, per server origin (scheme://host:port of the socket URL), in extension storage.
import { browser } from './browser';

export interface SavedMessage {
  name: string;
  text?: string;
  b64?: string;
  savedAt: number;
}

const key = (origin: string) => `frameline.saved.${origin}`;

/** `ws://h:1/x?y` → `ws://h:1`. */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return url;
  }
}

export async function loadSaved(origin: string): Promise<SavedMessage[]> {
  try {
    const got = await browser.storage.local.get(key(origin));
    const list = got[key(origin)];
    return Array.isArray(list) ? (list as SavedMessage[]) : [];
  } catch {
    return [];
  }
}

/** Save under `msg.name`, replacing a message of that name. */
export async function saveMessage(origin: string, msg: SavedMessage): Promise<SavedMessage[]> {
  const list = (await loadSaved(origin)).filter((m) => m.name !== msg.name);
  list.push(msg);
  list.sort((a, b) => a.name.localeCompare(b.name));
  await browser.storage.local.set({ [key(origin)]: list });
  return list;
}

export async function deleteSaved(origin: string, name: string): Promise<SavedMessage[]> {
  const list = (await loadSaved(origin)).filter((m) => m.name !== name);
  await browser.storage.local.set({ [key(origin)]: list });
  return list;
}
