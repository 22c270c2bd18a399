import { MigrationInterface, QueryRunner, TableIndex } from "typeorm";

export class IndexOrdersUser1718000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      "orders",
      new TableIndex({ name: "IDX_orders_user_id", columnNames: ["user_id"] }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("orders", "IDX_orders_user_id");
  }
}
