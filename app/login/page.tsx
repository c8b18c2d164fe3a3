import { LoginForm } from "@/components/login-form";

export const metadata = { title: "Sign in · Facility webhooks" };

export default function LoginPage() {
  return (
    <main className="mx-auto mt-24 max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="text-xl font-semibold">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">Manage the webhooks of your facilities.</p>
      <LoginForm />
    </main>
  );
}
