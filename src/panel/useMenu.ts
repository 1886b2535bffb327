// A menu open at a point (for one frame, one JSON line): closed by any click (after the clicked item did its work),
// another right-click, or Escape.
import { useEffect, useState } from 'preact/hooks';

export interface MenuAt {
  x: number;
  y: number;
  id: number;
}

export function useMenu<T extends { x: number; y: number } = MenuAt>(): [T | null, (m: T | null) => void] {
  const [menu, setMenu] = useState<T | null>(null);
  useEffect(() => {
    if (!menu) return;
    const close = () => setMenu(null);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    // Added after the click that opened it has gone by.
    const t = setTimeout(() => {
      addEventListener('click', close);
      addEventListener('contextmenu', close, true);
    });
    addEventListener('keydown', onKey);
    return () => {
      clearTimeout(t);
      removeEventListener('click', close);
      removeEventListener('contextmenu', close, true);
      removeEventListener('keydown', onKey);
    };
  }, [menu]);
  return [menu, setMenu];
}
