// Firefox: the isolated content script beside the page hook, at document_start in every frame. Wiring only.
import { startRelay } from '../platform/firefox/content-relay';

startRelay();
