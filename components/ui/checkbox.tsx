import { clsx } from "clsx";
import type { ComponentProps } from "react";

/** The browser's own checkbox (keyboard, forms and screen readers as everywhere), in the theme's colour. */
export function Checkbox({ className, ...props }: Omit<ComponentProps<"input">, "type">) {
  return (
    <input
      type="checkbox"
      className={clsx(
        "h-4 w-4 shrink-0 accent-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-slate-400",
        className,
      )}
      {...props}
    />
  );
}
