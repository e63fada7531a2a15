import Storage

extension Migrations {
    static let weights = Migration(version: 24, name: "uploaded weights files", sql: """
        -- A weights file an account uploaded (safetensors, a PyTorch zip, ONNX), read whole when it came:
        -- what it fits (`model`: resnet18 or mobilenet_v2, `naming`: torchvision or timm, both null when
        -- it fits neither) and its counts. `sha256` is the API's promise about the file; `blob` is where
        -- the blob store keeps it, named by the same digest today but by the store's choice.
        CREATE TABLE weights (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            format TEXT NOT NULL,
            model TEXT,
            naming TEXT,
            tensors INTEGER NOT NULL,
            parameters INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            blob TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (account_id, name)
        );
        """)
}
