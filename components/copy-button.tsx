"use client";
import { useState } from "react";
import { Button } from "./ui/button";

export function CopyButton({ value, label, text = "Copy" }: { value: string; label: string; text?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="outline"
      size="sm"
      aria-label={label}
      onClick={async () => {
        await navigator.clipboard.writeText(value);
        setCopied(true);
      }}
    >
      {copied ? "Copied" : text}
    </Button>
  );
}
