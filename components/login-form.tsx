"use client";
import { useActionState } from "react";
import { type SignInState, signInAction } from "@/app/login/actions";
import { MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH } from "@/server/auth/credential-limits";
import { Button } from "./ui/button";
import { Input } from "./ui/input";
import { Label } from "./ui/label";

export function LoginForm() {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, {});
  return (
    <form action={action} className="mt-6 space-y-4">
      <div className="space-y-1.5">
        <Label htmlFor="email">Email</Label>
        {/* React resets the form after each attempt: the email comes back from the refusal. */}
        <Input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          maxLength={MAX_EMAIL_LENGTH}
          defaultValue={state.email}
          aria-describedby={state.error ? "sign-in-error" : undefined}
        />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="password">Password</Label>
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={MAX_PASSWORD_LENGTH}
        />
      </div>
      {state.error && (
        <p id="sign-in-error" role="alert" className="text-sm text-red-600">
          {state.error}
        </p>
      )}
      <Button type="submit" className="w-full" disabled={pending}>
        Sign in
      </Button>
    </form>
  );
}
