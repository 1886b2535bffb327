// A menu open at a point for one frame: closed by any click (after the clicked item did its work) or Escape.
import { useEffect, useState } from 'preact/hooks';

export interface MenuAt {
  x: number;
  y: number;
  id: number;
}

export function useMenu(): [MenuAt | null, (m: MenuAt | null) => void] {
  const [menu, setMenu] = useState<MenuAt | null>(null);
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
