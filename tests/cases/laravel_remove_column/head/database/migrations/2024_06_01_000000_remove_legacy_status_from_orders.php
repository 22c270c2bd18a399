<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        DB::statement("SET lock_timeout = '5s'");
        Schema::table('orders', function (Blueprint $table) {
            $table->dropColumn('legacy_status');
        });
    }
};
