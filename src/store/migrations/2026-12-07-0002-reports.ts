import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Reports (issue 12): the table of report definitions, the views their queries read, and the
 * two examples seed 004 shows.
 *
 * * `report_definitions`: a report by name (`name_key`, its name lower-cased, is unique), its
 *   description, its parameters (JSON array of {name, type, required, default?}) and its query.
 * * `report_base_customers`, `report_base_users`, `report_base_services`,
 *   `report_base_requests`: the data reports read, with columns named for reports and a
 *   `scope_path` (the organisation's materialised path). A report's query never names these:
 *   it names `report_customers` … `report_requests`, which exist only as the common table
 *   expressions the runner puts in front of every query, each selecting from its base view
 *   the rows of the runner's subtree (see src/ops/reports/README.md). Booleans are 0/1 here;
 *   the runner answers them as true/false.
 *
 * The examples are the files under examples/reports/ (a test keeps them equal).
 */
export function reports(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('report_definitions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('parameters', 'text', (c) => c.notNull())
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()

      await sql`
        create view report_base_customers as
        select o.number as customer_id, o.id as id, o.code as name, o.name as label, o.description as description,
               o.contact_name as contact_name, o.contact_email as contact_email, o.primary_domain as primary_domain,
               o.billing_id as billing_id, o.external_id as external_id, o.address as address, o.city as city,
               o.country as country, o.status as status, o.enabled as enabled, o.is_reseller as is_reseller,
               p.number as parent_id, o.depth as depth, o.created_at as created, o.updated_at as updated,
               o.path as scope_path
        from orgs o left join orgs p on p.id = o.parent_id`.execute(db)
      await sql`
        create view report_base_users as
        select u.id as user_id, u.username as username, u.email as email, u.first_name as first_name,
               u.last_name as last_name, u.role as role, u.enabled as enabled, o.number as customer_id,
               o.code as customer_name, u.created_at as created, u.updated_at as updated, o.path as scope_path
        from users u join orgs o on o.id = u.org_id`.execute(db)
      await sql`
        create view report_base_services as
        select o.number as customer_id, o.code as customer_name, s.name as service, s.display_name as service_label,
               l.name as location, cs.status as status, cs.user_limit as user_limit, cs.users_count as users_count,
               cs.is_billed as is_billed, cs.created_at as created, cs.updated_at as updated,
               cs.provisioned_at as provisioned, o.path as scope_path
        from customer_services cs
        join orgs o on o.id = cs.org_id
        join services s on s.id = cs.service_id
        left join locations l on l.id = cs.location_id`.execute(db)
      await sql`
        create view report_base_requests as
        select r.id as request_id, r.guid as guid, r.parent_id as parent_request_id, r.operation as operation,
               r.via as via, r.target as target, r.status as status, r.error as error, r.received_at as received,
               r.started_at as started, r.finished_at as finished, r.scope_path as scope_path
        from requests r`.execute(db)

      const now = new Date().toISOString()
      for (const [id, e] of EXAMPLES) {
        await db
          .insertInto('report_definitions')
          .values({
            id,
            name: e.name,
            name_key: e.name.toLowerCase(),
            description: e.description,
            parameters: JSON.stringify(e.parameters),
            query: e.query,
            created_at: now,
            updated_at: now,
          })
          .execute()
      }
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const v of ['report_base_requests', 'report_base_services', 'report_base_users', 'report_base_customers']) {
        await sql`drop view ${sql.id(v)}`.execute(db)
      }
      await db.schema.dropTable('report_definitions').execute()
    },
  }
}

interface Example {
  name: string
  description: string
  parameters: { name: string; type: string; required: boolean }[]
  query: string
}

/** The examples as installed; examples/reports/*.json hold the same. */
const EXAMPLES: [string, Example][] = [
  [
    '6d1f1c1e-4a43-4d55-9f0a-5e3c2b7a0001',
    {
      name: 'Customers with Query',
      description: 'The customer whose short code is Name (any case), with its contact and billing fields (seed 004).',
      parameters: [{ name: 'Name', type: 'text', required: true }],
      query:
        'SELECT customer_id AS "CustomerID", name AS "Name", label AS "Label", contact_name AS "ContactName",\n' +
        '       contact_email AS "ContactEMail", description AS "Description", created AS "Created",\n' +
        '       primary_domain AS "PrimaryDomain", billing_id AS "BillingID", status AS "Status", parent_id AS "ParentID"\n' +
        'FROM report_customers\n' +
        'WHERE upper(name) = upper(:Name)\n' +
        'ORDER BY customer_id',
    },
  ],
  [
    '6d1f1c1e-4a43-4d55-9f0a-5e3c2b7a0002',
    {
      name: 'Customers with Stored Procedure',
      description:
        'Customers whose short code matches Name, a LIKE pattern (`C%`, any case), not deleted (seed 004; Clientele has no stored procedures: this is a read-only query like any other).',
      parameters: [{ name: 'Name', type: 'text', required: true }],
      query:
        'SELECT customer_id AS "CustomerID", name AS "Name", label AS "Label", billing_id AS "BillingID",\n' +
        '       primary_domain AS "PrimaryDomain", status AS "Status"\n' +
        'FROM report_customers\n' +
        "WHERE upper(name) LIKE upper(:Name) AND status <> 'deleted'\n" +
        'ORDER BY name',
    },
  ],
]
