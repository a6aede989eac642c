/**
 * The bot's own credentials for calls to the Bot Connector: a botbuilder ServiceClientCredentialsFactory
 * whose tokens come from @azure/identity (client secret, certificate or user-assigned managed identity).
 *
 * botbuilder's built-in factory hands the login URL to MSAL as a custom authority, and MSAL then asks the
 * public cloud's instance-discovery endpoint about it. @azure/identity with `disableInstanceDiscovery` asks
 * only the configured authority, so a national or private cloud (and the loopback token endpoint of the
 * tests) works without any call elsewhere. Inbound tokens are still checked by botbuilder's own code
 * (ConfigurationBotFrameworkAuthentication); this factory only answers "is this our app id?" for it.
 *
 * The authority is `ToChannelFromBotLoginUrl` without its last path segment; the tenant is that last segment
 * (botframework.com for a MultiTenant bot) or, for SingleTenant, MicrosoftAppTenantId.
 */
import fs from 'node:fs';
import { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { AppCredentials, type AuthenticatorResult, MicrosoftAppCredentials, ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../config';

/** AppCredentials (botbuilder's request signer, with its token cache) over an @azure/identity credential. */
class IdentityAppCredentials extends AppCredentials {
  constructor(
    appId: string,
    scope: string,
    private readonly credential: TokenCredential,
  ) {
    super(appId, undefined, scope);
  }

  protected override async refreshToken(): Promise<AuthenticatorResult> {
    const scope = this.oAuthScope.endsWith('/.default') ? this.oAuthScope : `${this.oAuthScope}/.default`;
    const token = await this.credential.getToken(scope);
    if (token === null) throw new Error('no token was issued for the Bot Connector');
    return { accessToken: token.token, expiresOn: new Date(token.expiresOnTimestamp) };
  }
}

export interface BotCredentialOptions {
  /** Extra CA certificate(s) trusted for the login URL (a private PKI; the tests' loopback token endpoint). */
  authorityCa?: string | Buffer;
}

/** Splits a login URL such as https://login.microsoftonline.com/botframework.com into authority host and tenant. */
export function splitLoginUrl(loginUrl: string): { authorityHost: string; tenant: string } {
  const url = new URL(loginUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  const tenant = segments.pop();
  if (!tenant) throw new Error(`ToChannelFromBotLoginUrl ${loginUrl} names no tenant (expected https://host/tenant)`);
  return { authorityHost: `${url.origin}${segments.length ? `/${segments.join('/')}` : ''}`, tenant };
}

function tokenCredential(config: Pick<Config, 'bot'>, options: BotCredentialOptions): TokenCredential {
  const { appId, appPassword, appType, tenantId, certificateFile, cloud } = config.bot;
  if (!appId) throw new Error('no MicrosoftAppId');
  if (appType === 'UserAssignedMSI') return new ManagedIdentityCredential({ clientId: appId });
  const login = splitLoginUrl(cloud.ToChannelFromBotLoginUrl);
  const tenant = appType === 'SingleTenant' && tenantId ? tenantId : login.tenant;
  const common = {
    authorityHost: login.authorityHost,
    disableInstanceDiscovery: true,
    ...(options.authorityCa ? { tlsOptions: { ca: options.authorityCa } } : {}),
  };
  if (certificateFile) return new ClientCertificateCredential(tenant, appId, { certificate: fs.readFileSync(certificateFile, 'utf8') }, common);
  if (!appPassword) throw new Error('no MicrosoftAppPassword or CHANNELCHECK_BOT_CERTIFICATE_FILE');
  return new ClientSecretCredential(tenant, appId, appPassword, common);
}

export class BotCredentialsFactory extends ServiceClientCredentialsFactory {
  private readonly appId: string | null;
  private credential: TokenCredential | null = null;

  constructor(
    private readonly config: Pick<Config, 'bot'>,
    private readonly options: BotCredentialOptions = {},
  ) {
    super();
    this.appId = config.bot.appId;
  }

  async isValidAppId(appId: string): Promise<boolean> {
    return this.appId !== null && appId === this.appId;
  }

  async isAuthenticationDisabled(): Promise<boolean> {
    return this.appId === null;
  }

  async createCredentials(appId: string, audience: string | undefined): Promise<AppCredentials> {
    if (this.appId === null) return MicrosoftAppCredentials.Empty;
    if (appId !== this.appId) throw new Error('Invalid appId.');
    this.credential ??= tokenCredential(this.config, this.options);
    return new IdentityAppCredentials(appId, audience || this.config.bot.cloud.ToChannelFromBotOAuthScope, this.credential);
  }

  /** Never serialise the configuration (it holds the secret). */
  toJSON(): { name: string; appId: string | null } {
    return { name: 'BotCredentialsFactory', appId: this.appId };
  }
}
