export const PANEL_TITLE = 'Frameline';
/** Path of the panel page inside the extension (crxjs emits it at its source path). */
export const PANEL_PAGE = 'src/panel/index.html';
export const panelTabUrl = (tabId: number) => `${PANEL_PAGE}?tabId=${tabId}`;
