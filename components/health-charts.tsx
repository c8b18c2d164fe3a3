import { type HealthHour, LATENCY_BUCKETS, latencyUnder } from "@/server/deliveries/hourly-stats";
import { attemptsSummary } from "./attempts-sparkline";
import { formatTime } from "./format-time";

export const HEALTH_RANGES = {
  "24h": { hours: 24, label: "24 hours" },
  "7d": { hours: 168, label: "7 days" },
} as const;
export type HealthRange = keyof typeof HEALTH_RANGES;

const HEIGHT = 80;
const LEFT = 56; // room for the axis labels
const last = LATENCY_BUCKETS.length - 1;

/** A latency bucket bound as a person reads it: "under 250 ms", "under 1 s", "10 s or more". */
export function latencyText(under: number | null): string {
  if (under === null) return "—";
  if (under === Number.POSITIVE_INFINITY) return `${(LATENCY_BUCKETS[last - 1]?.[0] ?? 0) / 1000} s or more`;
  return under < 1000 ? `under ${under} ms` : `under ${under / 1000} s`;
}

/**
 * The edit page's picture of how the endpoint has done: attempts per hour (succeeded and failed)
 * and their latency (p50 and p95) over the last 24 hours or 7 days. Server-rendered SVG: no
 * scripts, no chart library; each chart has a name in words, and the hours are also a table.
 */
export function HealthCharts({ hours, range }: { hours: HealthHour[]; range: HealthRange }) {
  const span = `Last ${HEALTH_RANGES[range].label}`;
  const width = LEFT + hours.length * (range === "24h" ? 20 : 4);
  const bar = (width - LEFT) / hours.length;
  const busiest = Math.max(1, ...hours.map((hour) => hour.succeeded + hour.failed));
  const attempted = hours.filter((hour) => hour.succeeded + hour.failed > 0);
  const p50 = latencyUnder(hours, 0.5);
  const p95 = latencyUnder(hours, 0.95);
  const summary = `${attemptsSummary(hours, span)}${p50 === null ? "" : `; p50 ${latencyText(p50)}, p95 ${latencyText(p95)}`}`;
  const bucketY = (under: number | null) => {
    const index = LATENCY_BUCKETS.findIndex(([bound]) => bound === under);
    return HEIGHT - ((index + 1) / LATENCY_BUCKETS.length) * HEIGHT;
  };
  return (
    <section
      aria-labelledby="health-heading"
      className="mb-6 rounded-lg border border-slate-200 bg-white p-4"
    >
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="health-heading" className="text-lg font-semibold">
          Delivery health
        </h2>
        <nav aria-label="Health range" className="flex gap-3 text-sm">
          {(Object.keys(HEALTH_RANGES) as HealthRange[]).map((key) => (
            <a
              key={key}
              href={`?range=${key}`}
              aria-current={key === range ? "page" : undefined}
              className={key === range ? "font-semibold underline" : "text-slate-700 hover:underline"}
            >
              {HEALTH_RANGES[key].label}
            </a>
          ))}
        </nav>
      </div>
      <p className="mb-3 text-sm text-slate-700">{summary}</p>
      <div className="grid gap-4 md:grid-cols-2">
        <figure>
          <figcaption className="mb-1 text-xs font-medium text-slate-600">
            Attempts per hour (<span className="text-green-700">succeeded</span>,{" "}
            <span className="text-red-700">failed</span>), busiest hour {busiest}
          </figcaption>
          <svg
            role="img"
            aria-label={`Attempts per hour. ${attemptsSummary(hours, span)}`}
            viewBox={`0 0 ${width} ${HEIGHT + 14}`}
            className="w-full"
          >
            <text x={0} y={10} className="fill-slate-600 text-[10px]">
              {busiest}
            </text>
            <text x={0} y={HEIGHT} className="fill-slate-600 text-[10px]">
              0
            </text>
            {hours.map((hour, i) => {
              const ok = (hour.succeeded / busiest) * HEIGHT;
              const failed = (hour.failed / busiest) * HEIGHT;
              const x = LEFT + i * bar;
              return (
                <g key={hour.hour}>
                  <rect x={x} y={HEIGHT - 1} width={bar * 0.8} height={1} className="fill-slate-300" />
                  {ok > 0 && (
                    <rect x={x} y={HEIGHT - ok} width={bar * 0.8} height={ok} className="fill-green-600" />
                  )}
                  {failed > 0 && (
                    <rect
                      x={x}
                      y={HEIGHT - ok - failed}
                      width={bar * 0.8}
                      height={failed}
                      className="fill-red-600"
                    />
                  )}
                </g>
              );
            })}
            <text x={LEFT} y={HEIGHT + 12} className="fill-slate-600 text-[10px]">
              {formatTime(hours[0]?.hour ?? null)}
            </text>
          </svg>
        </figure>
        <figure>
          <figcaption className="mb-1 text-xs font-medium text-slate-600">
            Latency per hour: <span className="text-slate-900">p50</span> and{" "}
            <span className="text-amber-700">p95</span> (the bucket each falls under)
          </figcaption>
          <svg
            role="img"
            aria-label={`Latency per hour. ${p50 === null ? "No attempts." : `Over the range, p50 ${latencyText(p50)} and p95 ${latencyText(p95)}.`}`}
            viewBox={`0 0 ${width} ${HEIGHT + 14}`}
            className="w-full"
          >
            {[0, 3, last].map((index) => (
              <text
                key={index}
                x={0}
                y={bucketY(LATENCY_BUCKETS[index]?.[0] ?? null) + 8}
                className="fill-slate-600 text-[9px]"
              >
                {latencyText(LATENCY_BUCKETS[index]?.[0] ?? null).replace("under ", "<")}
              </text>
            ))}
            {hours.map((hour, i) => {
              if (hour.succeeded + hour.failed === 0) return null;
              const x = LEFT + i * bar;
              return (
                <g key={hour.hour}>
                  {/* Side by side, so both show when they fall in the same bucket. */}
                  <rect
                    x={x}
                    y={bucketY(latencyUnder([hour], 0.5))}
                    width={bar * 0.4}
                    height={2}
                    className="fill-slate-900"
                  />
                  <rect
                    x={x + bar * 0.4}
                    y={bucketY(latencyUnder([hour], 0.95))}
                    width={bar * 0.4}
                    height={2}
                    className="fill-amber-600"
                  />
                </g>
              );
            })}
            <text x={LEFT} y={HEIGHT + 12} className="fill-slate-600 text-[10px]">
              {formatTime(hours[0]?.hour ?? null)}
            </text>
          </svg>
        </figure>
      </div>
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer text-slate-700">The hours with attempts, as a table</summary>
        {attempted.length === 0 ? (
          <p className="mt-2 text-slate-600">No attempts in this range.</p>
        ) : (
          <table className="mt-2 w-full text-left text-xs">
            <thead className="text-slate-600">
              <tr>
                <th className="py-1 pr-4 font-medium">Hour</th>
                <th className="py-1 pr-4 font-medium">Succeeded</th>
                <th className="py-1 pr-4 font-medium">Failed</th>
                <th className="py-1 pr-4 font-medium">p50</th>
                <th className="py-1 font-medium">p95</th>
              </tr>
            </thead>
            <tbody>
              {attempted.map((hour) => (
                <tr key={hour.hour} className="border-t border-slate-200">
                  <td className="py-1 pr-4">{formatTime(hour.hour)}</td>
                  <td className="py-1 pr-4">{hour.succeeded}</td>
                  <td className="py-1 pr-4">{hour.failed}</td>
                  <td className="py-1 pr-4">{latencyText(latencyUnder([hour], 0.5))}</td>
                  <td className="py-1">{latencyText(latencyUnder([hour], 0.95))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </section>
  );
}
