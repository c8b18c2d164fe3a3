"use client";
import { Input } from "./ui/input";
import { Label } from "./ui/label";

type Option = string | { value: string; label: string };

/**
 * A labelled native select for list filters. Its first option, `anyLabel`, means "no filter" and
 * has the value "". An option given as a string is its own label.
 */
export function FilterSelect({
  id,
  name,
  label,
  value,
  onChange,
  defaultValue,
  anyLabel,
  options,
}: {
  id: string;
  /** The field's name when the select sits in a form that submits without scripts. */
  name?: string;
  label: string;
  anyLabel: string;
  options: readonly Option[];
} & ( // controlled by scripts, or a plain form field (a server-rendered GET form)
  | { value: string; onChange: (value: string) => void; defaultValue?: never }
  | { defaultValue: string; value?: never; onChange?: never }
)) {
  const choices = [
    { value: "", label: anyLabel },
    ...options.map((o) => (typeof o === "string" ? { value: o, label: o } : o)),
  ];
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <select
        id={id}
        name={name}
        className="h-9 rounded-md border border-slate-300 bg-white px-3 text-sm"
        value={value}
        defaultValue={defaultValue}
        onChange={onChange && ((e) => onChange(e.target.value))}
      >
        {choices.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled input for filters (dates and times), beside the selects. */
export function FilterInput({
  id,
  label,
  type,
  value,
  onChange,
}: {
  id: string;
  label: string;
  type: "date" | "datetime-local";
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
