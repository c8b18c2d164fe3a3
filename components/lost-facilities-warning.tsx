/**
 * A webhook can list facilities its owner has since lost: it receives nothing from them. Said on
 * the list and on the edit page, so the admin can uncheck them.
 */
export function LostFacilitiesWarning({ facilityIds }: { facilityIds: string[] }) {
  return (
    <p className="mt-1 rounded-md border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900">
      No access any more to {facilityIds.join(", ")}: no events from{" "}
      {facilityIds.length === 1 ? "it" : "them"} are sent to this webhook.
    </p>
  );
}
