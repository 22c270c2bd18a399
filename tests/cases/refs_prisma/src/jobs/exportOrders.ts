import { prisma } from "../db";

export async function exportOrders(): Promise<string[]> {
  const orders = await prisma.order.findMany({ select: { id: true, legacyStatus: true } });
  return orders.map((order) => `${order.id};${order.legacyStatus}`);
}
