import type { HourAttempts } from "@/server/webhooks/webhook.service";

const BAR = 4;
const HEIGHT = 20;

/** What the sparkline shows, in words: its accessible name, and its tooltip. */
export function attemptsSummary(hours: HourAttempts[], span: string): string {
  const succeeded = hours.reduce((sum, hour) => sum + hour.succeeded, 0);
  const total = succeeded + hours.reduce((sum, hour) => sum + hour.failed, 0);
  if (total === 0) return `${span}: no attempts`;
  const rate = Math.floor((succeeded / total) * 1000) / 10;
  return `${span}: ${total.toLocaleString("en-US")} attempt${total === 1 ? "" : "s"}, ${rate}% succeeded`;
}

/**
 * A webhook's last hours at a glance: a bar per hour, as tall as its attempts (against the busiest
 * hour), failures stacked in red over successes in green. An image whose name says it in words.
 */
export function AttemptsSparkline({ hours }: { hours: HourAttempts[] }) {
  const busiest = Math.max(1, ...hours.map((hour) => hour.succeeded + hour.failed));
  const label = attemptsSummary(hours, "Last 24 hours");
  return (
    <svg
      role="img"
      aria-label={label}
      width={hours.length * BAR}
      height={HEIGHT}
      viewBox={`0 0 ${hours.length * BAR} ${HEIGHT}`}
      className="mt-1 block"
    >
      <title>{label}</title>
      {hours.map((hour, i) => {
        const ok = (hour.succeeded / busiest) * HEIGHT;
        const failed = (hour.failed / busiest) * HEIGHT;
        const x = i * BAR;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: the hours are fixed positions, oldest first.
          <g key={i}>
            <rect x={x} y={HEIGHT - 1} width={BAR - 1} height={1} className="fill-slate-300" />
            {ok > 0 && <rect x={x} y={HEIGHT - ok} width={BAR - 1} height={ok} className="fill-green-600" />}
            {failed > 0 && (
              <rect x={x} y={HEIGHT - ok - failed} width={BAR - 1} height={failed} className="fill-red-600" />
            )}
          </g>
        );
      })}
    </svg>
  );
}
