// The hub's gRPC front door: Exchange, SelfService, Registry, Operations and Support, with standard health and
// reflection, on mutual TLS. Plaintext exists only for development, behind an explicit flag,
// and says so loudly.
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { type SelfServiceServer, SelfServiceService } from '../../proto/gen/dancu/citizen/v1/self_service.ts';
import { type ExchangeServer, ExchangeService } from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import { type OperationsServer, OperationsService } from '../../proto/gen/dancu/operations/v1/operations.ts';
import { type RegistryServer, RegistryService } from '../../proto/gen/dancu/registry/v1/registry.ts';
import { type WrittenRequestsServer, WrittenRequestsService } from '../../proto/gen/dancu/registry/v1/written_requests.ts';
import { type SupportServer, SupportService } from '../../proto/gen/dancu/support/v1/support.ts';
import { serverCredentials } from '../pki/credentials.ts';
import { addHealth, addReflection, type HealthReport } from './reflection.ts';

export interface ApiServerOptions {
  /** host:port; port 0 picks a free one. */
  address: string;
  /** The PKI directory made by `dancu pki init` (hub certificate, CA). Required unless `insecurePlaintext`. */
  pkiDir?: string;
  /** Development only: no TLS, no client identity (every exchange is then refused as unauthenticated). */
  insecurePlaintext?: boolean;
  exchange: ExchangeServer;
  selfService?: SelfServiceServer;
  registry?: RegistryServer;
  operations?: OperationsServer;
  support?: SupportServer;
  writtenRequests?: WrittenRequestsServer;
  log?: (line: string) => void;
}

export class ApiServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** What grpc.health.v1 reports: NOT_SERVING while the store (and so the journal) does not answer. */
    readonly health: HealthReport,
  ) {}

  static async start(options: ApiServerOptions): Promise<ApiServer> {
    const log = options.log ?? ((line: string) => console.error(line));
    const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
    server.addService(ExchangeService, options.exchange as unknown as UntypedServiceImplementation);
    if (options.selfService) server.addService(SelfServiceService, options.selfService as unknown as UntypedServiceImplementation);
    if (options.registry) server.addService(RegistryService, options.registry as unknown as UntypedServiceImplementation);
    if (options.operations) server.addService(OperationsService, options.operations as unknown as UntypedServiceImplementation);
    if (options.support) server.addService(SupportService, options.support as unknown as UntypedServiceImplementation);
    if (options.writtenRequests)
      server.addService(WrittenRequestsService, options.writtenRequests as unknown as UntypedServiceImplementation);
    const health = addHealth(server);
    addReflection(server);
    let credentials: ServerCredentials;
    if (options.insecurePlaintext) {
      log(
        'WARNING: the gRPC API is serving PLAINTEXT without client certificates (--insecure-plaintext). Development only: nobody can be authenticated, so every exchange is refused.',
      );
      credentials = ServerCredentials.createInsecure();
    } else {
      if (!options.pkiDir)
        throw new Error('the gRPC API needs the hub PKI (run `dancu pki init`), or --insecure-plaintext for development');
      credentials = serverCredentials(options.pkiDir);
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(options.address, credentials, (error, bound) =>
        error ? reject(new Error(`cannot serve gRPC on ${options.address}: ${error.message}`)) : resolve(bound),
      ),
    );
    return new ApiServer(server, port, health);
  }

  /** Lets running calls finish for up to `graceMs`, then cuts the rest. */
  async stop(graceMs = 5_000): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
