#!/bin/sh
# The example's "archival photographs": drawn here with ffmpeg's own filters (no source photograph, no
# font, nothing fetched), sepia-toned and grained like a print. Made by the project; dedicated to the
# public domain (CC0). Run from this folder to make them again: sh make-photos.sh
set -e
SEPIA="colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131,noise=alls=18:allf=t,vignette=PI/4"

# s01: the fishing village above its harbour, 1890 (4:3, like a glass-plate print: the model crops it to 16:9)
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0xb8c4cc:s=1024x768" -frames:v 1 -vf "\
drawbox=x=0:y=430:w=1024:h=338:color=0x4a5a66:t=fill,\
drawbox=x=0:y=360:w=1024:h=80:color=0x6b6255:t=fill,\
drawbox=x=60:y=300:w=90:h=70:color=0xd8d0c0:t=fill,drawbox=x=60:y=280:w=90:h=22:color=0x5a4030:t=fill,\
drawbox=x=190:y=290:w=120:h=80:color=0xe0d8c8:t=fill,drawbox=x=190:y=268:w=120:h=24:color=0x5a4030:t=fill,\
drawbox=x=350:y=305:w=80:h=65:color=0xd0c8b8:t=fill,drawbox=x=350:y=287:w=80:h=20:color=0x5a4030:t=fill,\
drawbox=x=470:y=295:w=110:h=75:color=0xddd5c5:t=fill,drawbox=x=470:y=275:w=110:h=22:color=0x5a4030:t=fill,\
drawbox=x=0:y=420:w=1024:h=14:color=0x3a3028:t=fill,\
drawbox=x=300:y=470:w=120:h=26:color=0x2a2420:t=fill,drawbox=x=356:y=380:w=5:h=92:color=0x2a2420:t=fill,\
drawbox=x=560:y=500:w=140:h=28:color=0x2a2420:t=fill,drawbox=x=626:y=400:w=5:h=102:color=0x2a2420:t=fill,\
$SEPIA" s01-village.jpg

# s02: the herring fleet passing the lighthouse at dawn
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0xd8d0c0:s=1280x720" -frames:v 1 -vf "\
drawbox=x=0:y=0:w=1280:h=200:color=0xe8e0d0:t=fill,\
drawbox=x=0:y=430:w=1280:h=290:color=0x505c66:t=fill,\
drawbox=x=1000:y=380:w=280:h=60:color=0x4a4038:t=fill,\
drawbox=x=1080:y=170:w=56:h=214:color=0xf0ece4:t=fill,drawbox=x=1080:y=240:w=56:h=30:color=0x6a3a30:t=fill,\
drawbox=x=1072:y=140:w=72:h=32:color=0x302820:t=fill,drawbox=x=1090:y=146:w=36:h=20:color=0xfff8e0:t=fill,\
drawbox=x=160:y=470:w=150:h=30:color=0x221c18:t=fill,drawbox=x=228:y=350:w=6:h=122:color=0x221c18:t=fill,drawbox=x=234:y=360:w=60:h=90:color=0x8a8070:t=fill,\
drawbox=x=420:y=500:w=170:h=32:color=0x221c18:t=fill,drawbox=x=500:y=370:w=6:h=132:color=0x221c18:t=fill,drawbox=x=506:y=382:w=66:h=100:color=0x8a8070:t=fill,\
drawbox=x=700:y=480:w=140:h=28:color=0x221c18:t=fill,drawbox=x=764:y=372:w=6:h=110:color=0x221c18:t=fill,drawbox=x=770:y=384:w=54:h=82:color=0x8a8070:t=fill,\
$SEPIA" s02-fleet.jpg

# s05: the breakwater after the gale, winter 1927
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0x9aa4aa:s=1280x720" -frames:v 1 -vf "\
drawbox=x=0:y=380:w=1280:h=340:color=0x3e4850:t=fill,\
drawbox=x=0:y=330:w=520:h=70:color=0x5c5650:t=fill,\
drawbox=x=520:y=350:w=60:h=40:color=0x5c5650:t=fill,drawbox=x=610:y=362:w=44:h=30:color=0x5c5650:t=fill,drawbox=x=690:y=370:w=36:h=22:color=0x5c5650:t=fill,\
drawbox=x=560:y=300:w=240:h=60:color=0xe6e6e0@0.8:t=fill,drawbox=x=640:y=270:w=120:h=40:color=0xeeeeea@0.7:t=fill,\
drawbox=x=0:y=400:w=1280:h=12:color=0xd0d0cc@0.6:t=fill,drawbox=x=200:y=460:w=900:h=10:color=0xc8c8c4@0.5:t=fill,\
$SEPIA" s05-breakwater.jpg

# s06: fishermen hauling granite blocks on carts below the quarry
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0xc8c0b0:s=1280x720" -frames:v 1 -vf "\
drawbox=x=0:y=0:w=1280:h=300:color=0x8a8478:t=fill,drawbox=x=0:y=0:w=500:h=360:color=0x7a7468:t=fill,\
drawbox=x=0:y=520:w=1280:h=200:color=0x6a6258:t=fill,\
drawbox=x=300:y=440:w=200:h=60:color=0x4a3a2c:t=fill,drawbox=x=320:y=400:w=70:h=44:color=0x9a9a94:t=fill,drawbox=x=400:y=396:w=80:h=48:color=0xa4a49e:t=fill,\
drawbox=x=316:y=496:w=40:h=40:color=0x2a221c:t=fill,drawbox=x=444:y=496:w=40:h=40:color=0x2a221c:t=fill,\
drawbox=x=560:y=380:w=26:h=140:color=0x2c2620:t=fill,drawbox=x=562:y=352:w=22:h=26:color=0x3c342c:t=fill,\
drawbox=x=620:y=384:w=26:h=136:color=0x2c2620:t=fill,drawbox=x=622:y=356:w=22:h=26:color=0x3c342c:t=fill,\
drawbox=x=700:y=450:w=200:h=56:color=0x4a3a2c:t=fill,drawbox=x=720:y=412:w=76:h=40:color=0x9a9a94:t=fill,\
drawbox=x=716:y=502:w=38:h=38:color=0x2a221c:t=fill,drawbox=x=844:y=502:w=38:h=38:color=0x2a221c:t=fill,\
$SEPIA" s06-quarry.jpg
