import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Toasts } from "@/components/notify";
import "./globals.css";

// Every page carries a per-request CSP nonce (proxy.ts), which only a dynamically rendered page can use.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Facility webhooks",
  description: "Manage your facility webhooks",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {children}
        <Toasts />
      </body>
    </html>
  );
}
