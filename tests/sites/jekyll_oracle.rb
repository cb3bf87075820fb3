# frozen_string_literal: true
#
# Helper of oracle.py: asks Jekyll itself which documents and pages of a site
# it publishes, and at which URL.
#
#   ruby jekyll_oracle.rb SOURCE DEST OUT.tsv
#
# SOURCE is a scratch copy of the site (Jekyll writes its cache there), DEST
# an empty directory for the build. Writes unsorted lines
#   <path relative to SOURCE>\t<absolute URL or ->\t<1|0>[\t<type and layout>]
# to OUT.tsv (the fourth column: the item's `type` and `layout` after front
# matter defaults, when it has either); oracle.py sorts them.
#
# Two passes:
#   1. the real build, with the site's own configuration (JEKYLL_ENV from the
#      environment): site.process writes DEST; an item is published (1) when
#      Jekyll wrote its output file.
#   2. a read-only pass (nothing written) with future, unpublished and drafts
#      switched on, to get the URL Jekyll would give to every item, including
#      the ones pass 1 did not publish.
# Files in _posts, _drafts and output collections that Jekyll does not read at
# all (e.g. a post file name without a date) are listed with URL "-".

require "jekyll"
require "pathname"
require "set"

abort "usage: jekyll_oracle.rb SOURCE DEST OUT.tsv" unless ARGV.length == 3
source = File.realpath(ARGV[0])
dest = File.expand_path(ARGV[1])
out_path = ARGV[2]

Jekyll.logger.log_level = :error

CONTENT_EXTS = %w(.md .markdown .mkdown .mkdn .mkd .html .htm .textile .liquid).freeze

def rel(source, path)
  Pathname.new(File.expand_path(path)).relative_path_from(Pathname.new(source)).to_s
end

def site_for(source, dest, extra = {})
  overrides = {
    "source"              => source,
    "destination"         => dest,
    "quiet"               => true,
    "disable_disk_cache"  => true,
    "incremental"         => false,
    "watch"               => false,
    "serving"             => false,
  }.merge(extra)
  Jekyll::Site.new(Jekyll.configuration(overrides))
end

# Regular content items of a site that has been read: [source_file, item,
# collection_or_nil]. Documents of every collection (posts and drafts
# included) and pages with HTML output that come from a file, except home and
# listing pages named index.*.
def items(site, source)
  list = []
  site.collections.each_value do |coll|
    coll.docs.each { |doc| list << [doc.path, doc, coll] }
  end
  site.pages.each do |page|
    next if page.is_a?(Jekyll::PageWithoutAFile)
    file = File.join(source, page.relative_path)
    next unless File.file?(file)
    next unless page.output_ext == ".html"
    next if File.basename(page.name, ".*") == "index"
    list << [file, page, nil]
  end
  list
end

# Pass 1: the real build.
site = site_for(source, dest)
site.process
published = Set.new
items(site, source).each do |file, item, _coll|
  next unless item.write?
  published << rel(source, file) if File.file?(item.destination(site.dest))
end

# Pass 2: everything Jekyll would read, with the URL it would give.
all = site_for(source, dest + ".unused",
               "future" => true, "unpublished" => true, "show_drafts" => true)
all.reset
all.read
all.generate

site_url = all.config["url"].to_s.chomp("/")
baseurl = all.config["baseurl"].to_s
baseurl = "/#{baseurl}" unless baseurl.empty? || baseurl.start_with?("/")
baseurl = baseurl.chomp("/")

rows = {}
items(all, source).each do |file, item, coll|
  path = rel(source, file)
  url = if coll && !coll.write?
          "-" # output: false, Jekyll never writes this collection
        else
          site_url + baseurl + item.url
        end
  # Its type and layout as Jekyll resolves them (front matter defaults included).
  kind = [item.data["type"], item.data["layout"]].compact.map(&:to_s).join(" ")
  rows[path] = [url, published.include?(path) ? 1 : 0, kind]
end

# Files in the content folders that Jekyll did not read at all.
dirs = [File.join(all.collections_path, "_posts"), File.join(all.collections_path, "_drafts")]
all.collections.each_value { |coll| dirs << coll.directory if coll.write? }
dirs.uniq.each do |dir|
  next unless File.directory?(dir)
  Dir.glob("**/*", File::FNM_DOTMATCH, base: dir).sort.each do |relname|
    next if relname.split("/").any? { |part| part.start_with?(".", "_", "#") || part.end_with?("~") }
    file = File.join(dir, relname)
    next unless File.file?(file) && CONTENT_EXTS.include?(File.extname(file).downcase)
    path = rel(source, file)
    rows[path] ||= ["-", 0, ""]
  end
end

File.open(out_path, "w") do |f|
  rows.each { |path, (url, pub, kind)| f.write("#{path}\t#{url}\t#{pub}#{kind.empty? ? "" : "\t" + kind}\n") }
end
