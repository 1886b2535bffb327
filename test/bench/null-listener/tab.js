startNullListener(Number(new URLSearchParams(location.search).get('tabId')));
