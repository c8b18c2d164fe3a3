"use client";
import { useState } from "react";
import { Button } from "./ui/button";
import { useHydrated } from "./use-hydrated";

export function CopyButton({ value, label, text = "Copy" }: { value: string; label: string; text?: string }) {
  const [copied, setCopied] = useState(false);
  const hydrated = useHydrated(); // copying needs scripts
  return (
    <Button
      variant="outline"
      size="sm"
      aria-label={label}
      disabled={!hydrated}
      onClick={async () => {
        await navigator.clipboard.writeText(value);
        setCopied(true);
      }}
    >
      {copied ? "Copied" : text}
    </Button>
  );
}
