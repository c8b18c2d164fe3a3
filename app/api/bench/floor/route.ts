/**
 * The benchmark's floor: a route handler in the production build that does what the framework
 * must (route, read the JSON body, answer JSON) and nothing of ours. Answers 404 unless the
 * server was started by `npm run bench` (BENCH_FLOOR=1).
 */
const enabled = process.env.BENCH_FLOOR === "1";
const notFound = () => new Response(null, { status: 404 });

export async function PATCH(request: Request) {
  if (!enabled) return notFound();
  return Response.json({ data: await request.json() }, { status: 201 });
}

export async function GET() {
  if (!enabled) return notFound();
  return Response.json({ data: [] });
}
