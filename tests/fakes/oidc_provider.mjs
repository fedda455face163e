// A real OpenID Connect provider on 127.0.0.1 standing in for the national sign-in service
// (DVCQG's, which offers VNeID), built on the npm package oidc-provider (devDependency).
//
//   node tests/fakes/oidc_provider.mjs        (settings from the environment, below)
//
// It prints one line "ready <issuer>" once it listens. Its login and consent pages are the
// package's own development pages: any password is accepted, the login names the account.
// The accounts' claims are the user-info fields of the national sign-in (docs/NATIONAL.md):
// returned by the userinfo endpoint for the scope "openid"; the ID token carries `sub`.
//
// Environment:
//   OIDC_PORT                  port to listen on (required)
//   OIDC_CLIENT_ID             the one client (default "motcua")
//   OIDC_CLIENT_SECRET         its secret (default "motcua-secret"), sent in the form body
//   OIDC_REDIRECT_URIS         comma-separated callback URLs registered for the client
//   OIDC_POST_LOGOUT_URIS      comma-separated post_logout_redirect_uri values
//   OIDC_ACCOUNTS              JSON {"<login>": {claims...}} replacing the built-in accounts
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
if (!port) {
  console.error('OIDC_PORT is required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const list = (name) => (process.env[name] || '').split(',').map((s) => s.trim()).filter(Boolean);

// The user-info fields of the national sign-in, in the form the provider sends them.
export const CLAIMS = [
  'sub', 'TechID', 'LoaiTaiKhoan', 'SoDinhDanh', 'SoCMND', 'HoVaTen', 'NgayThangNamSinh',
  'GioiTinh', 'SoDienThoai', 'ThuDienTu', 'DiaChi', 'ThuongTru', 'NoiOHienNay', 'MaSoThue',
  'MaSoDoanhNghiep', 'TenDoanhNghiep', 'loAs', 'IAL',
];

const ACCOUNTS = process.env.OIDC_ACCOUNTS ? JSON.parse(process.env.OIDC_ACCOUNTS) : {
  // A citizen with a level 2 VNeID identity (demo data, not a real person).
  'nguyenvana': {
    TechID: 'TECH-0001-VNEID', LoaiTaiKhoan: '1', SoDinhDanh: '012345678901', SoCMND: '',
    HoVaTen: 'Nguyễn Văn An', NgayThangNamSinh: '01/02/1990', GioiTinh: '1',
    SoDienThoai: '0912345678', ThuDienTu: 'nguyenvana@example.vn',
    DiaChi: 'Bản Nà Bó, xã Mường Khoa, tỉnh Lai Châu',
    ThuongTru: 'Bản Nà Bó, xã Mường Khoa, tỉnh Lai Châu',
    NoiOHienNay: 'Bản Nà Bó, xã Mường Khoa, tỉnh Lai Châu',
    MaSoThue: '', MaSoDoanhNghiep: '', TenDoanhNghiep: '', loAs: ['LoA1', 'LoA2'], IAL: '2',
  },
  // An enterprise account: linked by its tax code.
  'congtyabc': {
    TechID: 'TECH-0002-DN', LoaiTaiKhoan: '2', SoDinhDanh: '', HoVaTen: 'Trần Thị Bình',
    SoDienThoai: '0987654321', ThuDienTu: 'ketoan@abc.example.vn', MaSoThue: '6200123456',
    MaSoDoanhNghiep: '6200123456', TenDoanhNghiep: 'Công ty TNHH ABC', loAs: ['LoA1'],
  },
};

const client = {
  client_id: process.env.OIDC_CLIENT_ID || 'motcua',
  client_secret: process.env.OIDC_CLIENT_SECRET || 'motcua-secret',
  redirect_uris: list('OIDC_REDIRECT_URIS'),
  post_logout_redirect_uris: list('OIDC_POST_LOGOUT_URIS'),
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
};

const provider = new Provider(issuer, {
  clients: [client],
  claims: { openid: CLAIMS },
  acrValues: ['LoA1', 'LoA2'],
  cookies: { keys: ['motcua-fake-oidc-cookie-key'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const claims = ACCOUNTS[id];
    if (!claims) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...claims };
      },
    };
  },
});
// The development pages warn on the console; the tests read stdout for "ready" only.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
