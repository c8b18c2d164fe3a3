"use client";
import { useEffect, useState } from "react";
import type * as Sonner from "sonner";

type Kind = "success" | "error";

let sonner: typeof Sonner | undefined;
let waiting: { kind: Kind; message: string }[] = [];
let mountToaster: ((module: typeof Sonner) => void) | undefined;

/**
 * Shows a toast. sonner's code loads with the first one, so a page that shows none (the edit page
 * on its first load) does not carry it.
 */
export function notify(kind: Kind, message: string) {
  if (sonner) {
    sonner.toast[kind](message);
    return;
  }
  waiting.push({ kind, message });
  void import("sonner").then((module) => mountToaster?.(module));
}

/** Where toasts appear (once, in the root layout): sonner's Toaster, mounted with the first toast. */
export function Toasts() {
  const [loaded, setLoaded] = useState<typeof Sonner>();
  useEffect(() => {
    mountToaster = (module) => setLoaded(() => module);
    return () => {
      mountToaster = undefined;
    };
  }, []);
  // Runs after the Toaster's own effect (children's effects run first), so it is listening.
  useEffect(() => {
    if (!loaded) return;
    sonner = loaded;
    for (const { kind, message } of waiting) loaded.toast[kind](message);
    waiting = [];
  }, [loaded]);
  return loaded ? <loaded.Toaster richColors position="top-right" /> : null;
}
