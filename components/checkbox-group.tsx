"use client";
import { clsx } from "clsx";
import { Checkbox } from "./ui/checkbox";

export type CheckboxOption = {
  value: string;
  label: string;
  description?: string;
  /** Shown on request under the description (an event's example body). */
  example?: string;
};

/** A multi-select as a grid of labelled checkboxes, bound to a string array. */
export function CheckboxGroup({
  idPrefix,
  options,
  value,
  onChange,
  labelClassName,
}: {
  idPrefix: string;
  options: CheckboxOption[];
  value: string[];
  onChange: (value: string[]) => void;
  labelClassName?: string;
}) {
  return (
    <div className="mt-3 grid gap-3 sm:grid-cols-2">
      {options.map((option) => {
        const id = `${idPrefix}-${option.value}`;
        const descriptionId = option.description ? `${id}-description` : undefined;
        return (
          <div key={option.value} className="flex items-start gap-2">
            <Checkbox
              id={id}
              aria-describedby={descriptionId}
              className="mt-px"
              checked={value.includes(option.value)}
              onChange={(event) =>
                onChange(
                  event.target.checked ? [...value, option.value] : value.filter((v) => v !== option.value),
                )
              }
            />
            <div className="grid gap-0.5">
              <label htmlFor={id} className={clsx("text-sm font-medium leading-4", labelClassName)}>
                {option.label}
              </label>
              {option.description && (
                <span id={descriptionId} className="text-xs text-slate-500">
                  {option.description}
                </span>
              )}
              {option.example && (
                <details className="text-xs">
                  <summary className="cursor-pointer text-slate-600 underline-offset-2 hover:underline">
                    Example payload<span className="sr-only"> of {option.label}</span>
                  </summary>
                  <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 text-[11px] text-slate-700">
                    {option.example}
                  </pre>
                </details>
              )}
            </div>
          </div>
        );
      })}
    </div>
  );
}
