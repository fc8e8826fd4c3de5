/**
 * Registers the faces beyond the native REST routes. Each face adds its routes here and
 * nowhere else, so that faces stay independent of each other.
 */
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../ops/context.js'
import { cloudRoutes } from './rest/cloud.routes.js'
import { catalogRoutes } from './rest/catalog.routes.js'
import { servicesRoutes } from './rest/services.routes.js'
import { capacityRoutes } from './rest/capacity.routes.js'
import { adminV3Routes } from './admin-v3/customers.routes.js'
import { plansRoutes } from './rest/plans.routes.js'
import { serversRoutes } from './rest/servers.routes.js'
import { subscriptionsRoutes } from './rest/subscriptions.routes.js'
import { domainsRoutes } from './rest/domains.routes.js'
import { exportRoutes } from './rest/export.routes.js'
import { xmlrpcRoutes } from './xmlrpc/routes.js'
import { xmlapiRoutes } from './xmlapi/routes.js'
import { loginExtrasRoutes } from './rest/login-extras.routes.js'
import { reportsRoutes } from './rest/reports.routes.js'
import { noticesRoutes } from './rest/notices.routes.js'
import { approvalsRoutes } from './rest/approvals.routes.js'
import { cancellationsRoutes } from './rest/cancellations.routes.js'
import { propertiesRoutes } from './rest/properties.routes.js'
import { exchangeRoutes } from './rest/exchange.routes.js'
import { bandwidthRoutes } from './rest/bandwidth.routes.js'
import { settingsFtpRoutes } from './rest/settings-ftp.routes.js'
import { sitesRoutes } from './rest/sites.routes.js'
import { networkRoutes } from './rest/network.routes.js'
import { consoleRoutes } from './console/routes.js'
import { accountRoutes } from './rest/account.routes.js'

export function registerFaces(app: FastifyInstance, deps: Deps): void {
  consoleRoutes(app)
  cloudRoutes(app, deps)
  catalogRoutes(app, deps)
  networkRoutes(app, deps)
  servicesRoutes(app, deps)
  capacityRoutes(app, deps)
  adminV3Routes(app, deps)
  plansRoutes(app, deps)
  serversRoutes(app, deps)
  subscriptionsRoutes(app, deps)
  domainsRoutes(app, deps)
  exportRoutes(app, deps)
  xmlrpcRoutes(app, deps)
  xmlapiRoutes(app, deps)
  reportsRoutes(app, deps)
  noticesRoutes(app, deps)
  approvalsRoutes(app, deps)
  cancellationsRoutes(app, deps)
  propertiesRoutes(app, deps)
  exchangeRoutes(app, deps)
  bandwidthRoutes(app, deps)
  settingsFtpRoutes(app, deps)
  sitesRoutes(app, deps)
  accountRoutes(app, deps)
  // Its own plugin scope: the multipart parser it registers serves its routes only.
  app.register(async (scope) => loginExtrasRoutes(scope, deps))
}
