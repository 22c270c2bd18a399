export interface OrderDto {
  id: number;
  status: string;
}
