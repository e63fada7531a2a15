import Storage

extension Migrations {
    static let imageCounts = Migration(version: 13, name: "image counts", sql: """
        -- Each dataset's number of images, kept by triggers, so a project listing sums a column per
        -- dataset instead of counting every image of every project on each call. Images never move
        -- between datasets, so inserts and deletes are all there is to follow.
        ALTER TABLE datasets ADD COLUMN image_count INTEGER NOT NULL DEFAULT 0;
        UPDATE datasets SET image_count = (SELECT COUNT(*) FROM images WHERE images.dataset_id = datasets.id);
        CREATE TRIGGER images_counted AFTER INSERT ON images BEGIN
            UPDATE datasets SET image_count = image_count + 1 WHERE id = NEW.dataset_id;
        END;
        CREATE TRIGGER images_uncounted AFTER DELETE ON images BEGIN
            UPDATE datasets SET image_count = image_count - 1 WHERE id = OLD.dataset_id;
        END;
        """)
}
