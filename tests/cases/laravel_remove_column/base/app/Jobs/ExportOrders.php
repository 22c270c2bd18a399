<?php

namespace App\Jobs;

use App\Models\Order;
use Illuminate\Contracts\Queue\ShouldQueue;

class ExportOrders implements ShouldQueue
{
    public function handle(): void
    {
        foreach (Order::all() as $order) {
            echo $order->legacy_status;
        }
    }
}
