// Opened without ?tabId=N (the benches' probe for the tab id), the page only asks for tabs.
const tabId = new URLSearchParams(location.search).get('tabId');
if (tabId !== null) startNullListener(Number(tabId));
