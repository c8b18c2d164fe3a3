import { Button, buttonClass } from "./ui/button";

/**
 * "Load more" under a paged list, while its infinite query has further pages. Given the next page's
 * address, it is a link to it (so the list pages with scripts off) that scripts turn into an append.
 */
export function LoadMore({
  query,
  href,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  href?: string;
}) {
  if (!query.hasNextPage) return null;
  const label = query.isFetchingNextPage ? "Loading…" : "Load more";
  return (
    <div className="mt-4 flex justify-center">
      {href ? (
        <a
          href={href}
          className={buttonClass({ variant: "outline" })}
          aria-disabled={query.isFetchingNextPage || undefined}
          onClick={(e) => {
            e.preventDefault();
            if (!query.isFetchingNextPage) query.fetchNextPage();
          }}
        >
          {label}
        </a>
      ) : (
        <Button variant="outline" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          {label}
        </Button>
      )}
    </div>
  );
}
