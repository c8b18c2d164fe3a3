import { requireUser } from "@/app/session";
import { WebhookForm } from "@/components/webhook-form";
import { getFormOptions } from "@/server/webhooks/webhook.service";

export const metadata = { title: "New webhook · Facility webhooks" };

export default async function NewWebhookPage() {
  const { principal } = await requireUser();
  const options = await getFormOptions({ principal });
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold">New webhook</h1>
      {options.clients.length === 0 ? (
        <p className="text-slate-600">
          Webhooks belong to an API client, and you have none yet. An operator can create one with{" "}
          <code>npm run admin -- client add &lt;name&gt; --user &lt;your email&gt;</code>.
        </p>
      ) : (
        <WebhookForm options={options} />
      )}
    </>
  );
}
