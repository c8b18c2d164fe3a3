"use client";
import { Checkbox } from "./ui/checkbox";
import { cn } from "./ui/cn";
import { Label } from "./ui/label";

export type CheckboxOption = { value: string; label: string; description?: string };

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
              checked={value.includes(option.value)}
              onCheckedChange={(on) =>
                onChange(on === true ? [...value, option.value] : value.filter((v) => v !== option.value))
              }
            />
            <div className="grid gap-0.5">
              <Label htmlFor={id} className={cn("leading-4", labelClassName)}>
                {option.label}
              </Label>
              {option.description && (
                <span id={descriptionId} className="text-xs text-slate-500">
                  {option.description}
                </span>
              )}
            </div>
          </div>
        );
      })}
    </div>
  );
}
