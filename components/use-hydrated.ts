import { useSyncExternalStore } from "react";

const subscribeToNothing = () => () => {};

/**
 * False in the server's HTML, true once scripts run: controls that only scripts can carry out stay
 * disabled until then, so with scripts off they neither submit the form natively (reloading the page
 * and losing what was typed) nor seem to work and do nothing.
 */
export const useHydrated = (): boolean =>
  useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
