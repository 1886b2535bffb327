// The capture host's status (attaching, capturing, detached…), followed as it changes.
import { useEffect, useState } from 'preact/hooks';
import type { HostStatus } from '../protocol';

export function useHostStatus(getStatus: () => HostStatus | null, onStatus: (fn: () => void) => () => void): HostStatus | null {
  const [status, setStatus] = useState(getStatus());
  useEffect(() => {
    setStatus(getStatus()); // it may have changed between the first render and this subscription
    return onStatus(() => setStatus(getStatus()));
  }, []);
  return status;
}
