# Reference for RubyGems: Gem::Version and Gem::Requirement of the installed Ruby.
# ARGV[0]: compare (A<TAB>B -> -1/0/1) or satisfies (V<TAB>REQ, comma = and -> true/false).
require 'rubygems'
mode = ARGV[0]
out = []
STDIN.each_line do |line|
  a, b = line.chomp.split("\t", 2)
  begin
    if mode == 'compare'
      out << (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
    else
      req = Gem::Requirement.new(*b.split(',').map(&:strip))
      out << (req.satisfied_by?(Gem::Version.new(a)) ? 'true' : 'false')
    end
  rescue ArgumentError, Gem::Requirement::BadRequirementError
    out << 'E'
  end
end
puts out.join("\n")
